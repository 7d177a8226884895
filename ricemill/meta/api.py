from ..common.blueprint import Blueprint
from ..common.envelope import envelope, ok
from .schemas import MetaSchema
from .service import build_meta

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Shared constants: units, defaults, enumerations")


@blp.route("/meta", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, envelope(MetaSchema))
def get_meta():
    """Mill defaults, units, the moisture formula's constants, stock types and payment modes with labels.

    Public (no token): the same object the pages carry in `<script id="rm-meta">`.
    """
    return ok(build_meta())


get_meta.required_permission = None  # public: no token, no mill
