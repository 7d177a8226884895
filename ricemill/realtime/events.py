"""Socket.IO event names: the one source of truth (the browser fetches them from the server)."""

SERVER_EVENTS = {
    # Connection
    "CONNECTED": "connected",
    "ERROR": "error",
    # Notifications
    "NOTIFICATION": "notification",
    # Purchase events
    "PURCHASE_CREATED": "purchase:created",
    "PURCHASE_UPDATED": "purchase:updated",
    "PURCHASE_DELETED": "purchase:deleted",
    # Sale events
    "SALE_CREATED": "sale:created",
    "SALE_UPDATED": "sale:updated",
    "SALE_DELETED": "sale:deleted",
    # Inward/Outward events
    "INWARD_CREATED": "inward:created",
    "OUTWARD_CREATED": "outward:created",
    # Milling events
    "MILLING_STARTED": "milling:started",
    "MILLING_COMPLETED": "milling:completed",
    # Stock events
    "STOCK_UPDATED": "stock:updated",
    "STOCK_LOW_ALERT": "stock:low-alert",
    # Financial events
    "PAYMENT_RECEIVED": "payment:received",
    "PAYMENT_MADE": "payment:made",
    "RECEIPT_CREATED": "receipt:created",
    # Dashboard updates
    "DASHBOARD_STATS": "dashboard:stats",
    # Activity feed
    "ACTIVITY_NEW": "activity:new",
    "ACTIVITY_TYPING": "activity:typing",
    "ACTIVITY_STOP_TYPING": "activity:stop-typing",
    # Staff events
    "ATTENDANCE_MARKED": "attendance:marked",
    "STAFF_JOINED": "staff:joined",
    "STAFF_LEFT": "staff:left",
    # Beyond the seed: answers to client events, replay, platform events
    "JOINED_MILL": "joined:mill",
    "LEFT_MILL": "left:mill",
    "SYNC_DONE": "sync:done",
    "SYNC_RESET": "sync:reset",
    "MILL_CREATED": "mill:created",
    "PLATFORM_STATS": "platform:stats",
    # Parties (farmers, buyers, suppliers, agents)
    "PARTY_CREATED": "party:created",
    "PARTY_UPDATED": "party:updated",
}

# The 25 names of the seed's SERVER_EVENTS, kept exactly.
SEED_SERVER_EVENT_KEYS = tuple(list(SERVER_EVENTS)[:25])

CLIENT_EVENTS = {
    "JOIN_MILL": "join:mill",
    "LEAVE_MILL": "leave:mill",
    "REQUEST_DASHBOARD": "request:dashboard",
    "ACTIVITY_TYPING": "activity:typing",
    "ACTIVITY_STOP_TYPING": "activity:stop-typing",
    "SYNC": "sync",
}

# Mill-scoped domain events: recorded with a per-mill seq and replayable with `sync`.
MILL_EVENT_NAMES = frozenset(
    SERVER_EVENTS[key]
    for key in (
        "PURCHASE_CREATED", "PURCHASE_UPDATED", "PURCHASE_DELETED",
        "SALE_CREATED", "SALE_UPDATED", "SALE_DELETED",
        "INWARD_CREATED", "OUTWARD_CREATED",
        "MILLING_STARTED", "MILLING_COMPLETED",
        "STOCK_UPDATED", "STOCK_LOW_ALERT",
        "PAYMENT_RECEIVED", "PAYMENT_MADE", "RECEIPT_CREATED",
        "ATTENDANCE_MARKED", "STAFF_JOINED", "STAFF_LEFT",
        "PARTY_CREATED", "PARTY_UPDATED",
    )
)  # fmt: skip
