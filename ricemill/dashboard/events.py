"""The `dashboard:stats` event: its payload is the dashboard itself (docs/realtime.md)."""

from ..realtime.events import E, Payload, server_event
from .schemas import DashboardSchema


@server_event(E["DASHBOARD_STATS"])
class DashboardStatsPayload(DashboardSchema, Payload):
    """Exactly what GET /api/v1/mills/{millId}/dashboard answers, `millId` included."""
