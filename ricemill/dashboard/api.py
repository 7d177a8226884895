from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.blueprint import Blueprint
from ..common.envelope import envelope, ok
from . import service
from .schemas import ActivityQuerySchema, ActivitySchema, DashboardSchema

blp = Blueprint("dashboard", __name__, url_prefix="/api/v1/mills", description="Dashboard and activity feed")


@blp.route("/<uuid:mill_id>/dashboard", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(DashboardSchema))
def get_dashboard(mill_id):
    """The mill at a glance (the same object as the `dashboard:stats` socket event)."""
    return ok(service.get_dashboard(mill_id=mill_id))


@blp.route("/<uuid:mill_id>/activity", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(ActivityQuerySchema, location="query")
@blp.response(200, envelope(ActivitySchema, many=True))
def list_activity(query, mill_id):
    """The activity feed. With `after=<seq>`: the entries after it, oldest first (catching up).
    Without: the newest `limit` (default 50, at most 200), newest first."""
    return ok(service.list_activity(mill_id=mill_id, after=query.get("after"), limit=query["limit"]))
