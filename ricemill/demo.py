"""Demo data for the quick start. Idempotent: running it again changes nothing."""

import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .auth import service as auth_service
from .auth.models import User
from .auth.roles import Role
from .common.constants import KG
from .extensions import db
from .finance import service as finance_service
from .finance.models import Payment
from .finance.types import PaymentMode
from .inventory import service as inventory_service
from .inventory.models import Stock
from .inventory.types import StockType
from .milling import service as milling_service
from .milling.models import MillingBatch
from .mills import service as mill_service
from .mills.models import Mill
from .notifications.models import Notification, NotificationRecipient
from .purchases import service as purchase_service
from .purchases.models import PaddyPurchase
from .realtime.outbox.marking import flush_all
from .sales import service as sale_service
from .sales.models import Sale
from .staff import service as staff_service
from .staff.models import Staff

DEMO_PASSWORD = "ricemill-demo-1"

DEMO_MILLS = [
    {"code": "SRI-LAKSHMI", "name": "Sri Lakshmi Rice Mill", "address": "Miryalaguda, Telangana", "slug": "lakshmi"},
    {
        "code": "ANNAPURNA",
        "name": "Annapurna Modern Rice Mill",
        "address": "Kakinada, Andhra Pradesh",
        "slug": "annapurna",
    },
]


def _ensure_user(email: str, name: str, role: Role, mill_id=None) -> User:
    user = auth_service.find_user_by_email(email)
    if user is None:
        user = auth_service.create_user(email=email, name=name, password=DEMO_PASSWORD, role=role, mill_id=mill_id)
    return user


def seed_demo() -> list[dict]:
    logins, seeded = [], []
    _ensure_user("admin@ricemill.local", "Platform Admin", Role.SUPER_ADMIN)
    logins.append({"role": "SUPER_ADMIN", "email": "admin@ricemill.local", "password": DEMO_PASSWORD, "mill": None})
    for spec in DEMO_MILLS:
        mill = db.session.scalar(sa.select(Mill).where(Mill.code == spec["code"]))
        if mill is None:
            mill = mill_service.create_mill(
                data={"name": spec["name"], "code": spec["code"], "address": spec["address"]}
            )
        for role, who in ((Role.MILL_ADMIN, "owner"), (Role.MANAGER, "manager"), (Role.OPERATOR, "operator")):
            email = f"{who}@{spec['slug']}.local"
            _ensure_user(email, f"{spec['slug'].title()} {who.title()}", role, mill.id)
            logins.append({"role": role.value, "email": email, "password": DEMO_PASSWORD, "mill": spec["name"]})
        db.session.flush()
        if seed_month(mill):
            seeded.append(mill)
    db.session.commit()  # the notifications of the month are made now, all at this moment
    # The background marker is setting their dispatched_at now: let it finish before the same rows are
    # redated, or the two UPDATEs deadlock.
    flush_all()
    for mill in seeded:
        settle_notifications(mill)
    db.session.commit()
    return logins


def seed_month(mill: Mill) -> bool:
    """A realistic last 30 days of the mill's work, written through the real services.

    Paddy bought every day (moisture 14-22%), milled in batches (one still running today), rice
    and by-products sold, farmers paid and buyers paying (partly), eight staff with their daily
    attendance (one who left), and minimum stock levels with one stock low. Document dates are
    the mill's days; batch times are set to those days too. Skipped for a mill that already has
    purchases, so running the seed again changes nothing. Deterministic (seeded by the mill code).
    """
    if db.session.scalar(sa.select(sa.exists().where(PaddyPurchase.mill_id == mill.id))):
        return False
    users = {u.role: u for u in db.session.scalars(sa.select(User).where(User.mill_id == mill.id, User.is_active))}
    operator = users.get(Role.OPERATOR) or users.get(Role.MANAGER) or users.get(Role.MILL_ADMIN)
    manager = users.get(Role.MANAGER) or users.get(Role.MILL_ADMIN) or operator
    owner = users.get(Role.MILL_ADMIN) or manager
    if operator is None:
        return False  # no one to record the work
    _MonthSeeder(mill, operator=operator, manager=manager, owner=owner).run()
    return True


# Which document a notification is about (its `data`), and the day that document happened.
_NOTIFIED_DAY = {
    "purchaseId": lambda ids: sa.select(PaddyPurchase.id, PaddyPurchase.purchase_date).where(PaddyPurchase.id.in_(ids)),
    "saleId": lambda ids: sa.select(Sale.id, Sale.sale_date).where(Sale.id.in_(ids)),
    "paymentId": lambda ids: sa.select(Payment.id, Payment.payment_date).where(Payment.id.in_(ids)),
    "batchId": lambda ids: sa.select(MillingBatch.id, MillingBatch.completed_at).where(MillingBatch.id.in_(ids)),
    "staffId": lambda ids: sa.select(Staff.id, Staff.left_on).where(Staff.id.in_(ids)),
}


def settle_notifications(mill: Mill) -> None:
    """Leave the month's notifications as a real month would: each dated on its document's day
    (the seed writes the whole month in one commit, so they were all made just now), and every
    user of the mill has read all but today's. So the bell shows the day's handful, not 99+.
    """
    tz = ZoneInfo(mill.timezone)
    now = datetime.now(tz)
    today = now.date()
    rows = db.session.scalars(
        sa.select(Notification).where(Notification.mill_id == mill.id).order_by(Notification.created_at)
    ).all()
    keys = {key: [uuid.UUID(r.data[key]) for r in rows if r.data.get(key)] for key in _NOTIFIED_DAY}
    days = {}
    for key, query in _NOTIFIED_DAY.items():
        if keys[key]:
            days.update({str(doc_id): when for doc_id, when in db.session.execute(query(keys[key]))})
    per_day: dict[date, int] = {}
    for row in rows:
        doc_id = next((row.data[key] for key in _NOTIFIED_DAY if row.data.get(key)), None)
        when = days.get(doc_id, today)  # low stock: this morning's minimums
        day = when.astimezone(tz).date() if isinstance(when, datetime) else when
        n = per_day[day] = per_day.get(day, 0) + 1
        # the day's work from 8 in the morning, a few minutes apart, in the order it was done
        row.created_at = min(datetime.combine(day, time(8), tzinfo=tz) + timedelta(minutes=7 * n), now)
        row.dispatched_at = row.dispatched_at or row.created_at
        if day < today:
            db.session.execute(
                sa.update(NotificationRecipient)
                .where(NotificationRecipient.notification_id == row.id, NotificationRecipient.read_at.is_(None))
                .values(read_at=row.created_at + timedelta(hours=1))
            )
    db.session.flush()


DAYS = 30
_FARMERS = [
    ("Ramaiah", "Nidamanur"), ("Suresh Reddy", "Tripuraram"), ("Venkatesh", "Halia"), ("Lakshmi Bai", "Peddavoora"),
    ("Narsimha", "Anumula"), ("Krishna Murthy", "Vemulapalli"), ("Yadagiri", "Damaracherla"), ("Saidulu", "Nidamanur"),
    ("Mallesh", "Halia"), ("Padma", "Tripuraram"),
]  # fmt: skip
_VARIETIES = ["Sona Masoori", "BPT 5204", "MTU 1010", "IR 64"]
_BUYERS = {
    "RICE": ["Balaji Traders", "Sri Sai Wholesale", "Annapurna Stores", "Hyderabad Rice Depot"],
    "BROKEN_RICE": ["Deccan Feeds", "Kaveri Poultry"],
    "BRAN": ["Ruchi Oil Mills", "Gemini Solvents"],
    "HUSK": ["Sagar Cements", "Nalgonda Brick Works"],
}
_RATES = {"RICE": (3800, 4600), "BROKEN_RICE": (2000, 2400), "BRAN": (1600, 2000), "HUSK": (300, 450)}
_STAFF = [
    ("Shankar", "Supervisor", 900), ("Ravi Kumar", "Machine operator", 750), ("Srinu", "Machine operator", 700),
    ("Anjaiah", "Weighbridge clerk", 650), ("Yellaiah", "Loader", 550), ("Buchamma", "Cleaner", 500),
    ("Raju", "Driver", 700), ("Mahesh", "Loader", 550),
]  # fmt: skip
_MODES = PaymentMode.values()


def _kg(value) -> Decimal:
    return Decimal(value).quantize(KG)


class _MonthSeeder:
    """The month, day by day, in the order a mill lives it."""

    def __init__(self, mill: Mill, *, operator: User, manager: User, owner: User):
        self.mill, self.operator, self.manager, self.owner = mill, operator, manager, owner
        self.rng = random.Random(mill.code)
        self.tz = ZoneInfo(mill.timezone)
        self.today = datetime.now(self.tz).date()

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A time of the mill's day, never after now (today's work has happened by now)."""
        moment = datetime.combine(day, time(hour, minute), tzinfo=self.tz)
        return min(moment, datetime.now(self.tz) - timedelta(minutes=1))

    def run(self) -> None:
        staff = self.hire_staff()
        running = None
        for offset in range(DAYS - 1, -1, -1):
            day = self.today - timedelta(days=offset)
            if day == self.today:
                self.set_minimums()  # this morning, so today's work is the newest activity
            self.attendance(day, staff)  # the muster comes first
            purchases = self.buy_paddy(day)
            if running is not None:
                self.complete(running, day)
                running = None
            running = self.start_batch(day)
            # yesterday's batch runs overnight, so today shows an outturn and a batch in progress
            if running is not None and day < self.today - timedelta(days=1) and self.rng.random() < 0.6:
                self.complete(running, day)  # a short batch, done the same day
                running = None
            sales = self.sell(day)
            self.settle(day, purchases, sales)

    def hire_staff(self) -> list:
        staff = []
        for i, (name, designation, wage) in enumerate(_STAFF):
            joined = self.today - timedelta(days=400 - 37 * i)
            member = staff_service.create_staff(
                mill=self.mill,
                data={"name": name, "designation": designation, "daily_wage": Decimal(wage), "joined_on": joined},
                actor=self.manager,
            )
            staff.append(member)
        staff_service.leave_staff(
            mill=self.mill, staff_id=staff[-1].id, left_on=self.today - timedelta(days=9), actor=self.manager
        )
        return staff

    def buy_paddy(self, day: date) -> list:
        bought = []
        for n in range(self.rng.randint(2, 3)):
            farmer, village = self.rng.choice(_FARMERS)
            bags = self.rng.randint(30, 110)
            gross = _kg(bags * self.rng.uniform(74, 78) + 0)
            tare = _kg(bags * Decimal("0.6"))
            data = {
                "farmer_name": farmer,
                "farmer_phone": f"9{self.rng.randint(100000000, 999999999)}",
                "village": village,
                "variety": self.rng.choice(_VARIETIES),
                "bags": bags,
                "gross_weight_kg": gross,
                "tare_weight_kg": tare,
                "moisture_percent": Decimal(str(round(self.rng.uniform(14, 22), 1))),
                "rate_per_quintal": Decimal(self.rng.choice(range(2040, 2320, 20))),
                "vehicle_number": f"TS{self.rng.randint(1, 36):02d}T{self.rng.randint(1000, 9999)}",
                "weigh_slip_no": f"WS-{day:%m%d}-{n + 1}",
                "purchase_date": day,
            }
            bought.append(purchase_service.create_purchase(mill=self.mill, data=data, actor=self.operator))
        return bought

    def _stocks(self) -> dict[str, Decimal]:
        rows = db.session.execute(sa.select(Stock.stock_type, Stock.quantity).where(Stock.mill_id == self.mill.id))
        return {str(stock_type): quantity for stock_type, quantity in rows}

    def start_batch(self, day: date):
        paddy = self._stocks()["PADDY"]
        size = _kg(min(paddy * Decimal("0.8"), Decimal(self.rng.randint(9000, 14000))))
        if size < 1000:
            return None
        batch = milling_service.start_batch(
            mill=self.mill,
            data={"paddy_input_kg": size, "variety": self.rng.choice(_VARIETIES)},
            actor=self.operator,
        )
        batch.started_at = self.at(day, 9, self.rng.randint(0, 59))
        return batch

    def complete(self, batch, day: date) -> None:
        paddy = batch.paddy_input_kg
        shares = {
            "RICE": self.rng.uniform(0.64, 0.70),
            "BROKEN_RICE": self.rng.uniform(0.03, 0.05),
            "BRAN": self.rng.uniform(0.06, 0.08),
        }
        shares["HUSK"] = 1 - sum(shares.values()) - self.rng.uniform(0.01, 0.02)  # the rest, less 1-2% loss
        outputs = {name: _kg(paddy * Decimal(str(share))) for name, share in shares.items()}
        milling_service.complete_batch(
            mill=self.mill, batch_id=batch.id, data={"outputs": outputs}, actor=self.operator
        )
        batch.completed_at = max(self.at(day, 17, self.rng.randint(0, 59)), batch.started_at + timedelta(minutes=30))

    def sell(self, day: date) -> list:
        sold = []
        stocks = self._stocks()
        for stock_type, chance, share in (
            ("RICE", 0.9, 0.45),
            ("BROKEN_RICE", 0.3, 0.6),
            ("BRAN", 0.35, 0.6),
            ("HUSK", 0.3, 0.7),
        ):
            available = stocks[stock_type]
            if self.rng.random() > chance or available < 500:
                continue
            quantity = _kg(int(available * Decimal(str(share)) / 50) * 50)  # whole 50 kg bags
            low, high = _RATES[stock_type]
            data = {
                "buyer_name": self.rng.choice(_BUYERS[stock_type]),
                "stock_type": stock_type,
                "quantity_kg": quantity,
                "bags": int(quantity / 50),
                "rate_per_quintal": Decimal(self.rng.choice(range(low, high, 50))),
                "sale_date": day,
                "vehicle_number": f"AP{self.rng.randint(1, 39):02d}V{self.rng.randint(1000, 9999)}",
            }
            sold.append(sale_service.create_sale(mill=self.mill, data=data, actor=self.manager))
        return sold

    def settle(self, day: date, purchases: list, sales: list) -> None:
        """Most farmers are paid (some in part); buyers pay some invoices, often in part."""
        for purchase in purchases:
            roll = self.rng.random()
            if roll < 0.25:
                continue
            amount = purchase.amount if roll < 0.85 else (purchase.amount / 2).quantize(Decimal("1"))
            finance_service.create_payment(
                mill=self.mill,
                data={
                    "direction": "MADE",
                    "amount": amount,
                    "mode": self.rng.choice(_MODES),
                    "purchase_id": purchase.id,
                    "payment_date": day,
                },
                actor=self.manager,
            )
        for sale in sales:
            roll = self.rng.random()
            if roll < 0.3:
                continue
            amount = sale.amount if roll < 0.8 else (sale.amount * Decimal("0.4")).quantize(Decimal("1"))
            finance_service.create_payment(
                mill=self.mill,
                data={
                    "direction": "RECEIVED",
                    "amount": amount,
                    "mode": self.rng.choice(_MODES),
                    "sale_id": sale.id,
                    "reference": f"INV-{sale.invoice_no}",
                    "payment_date": day,
                },
                actor=self.manager,
            )

    def attendance(self, day: date, staff: list) -> None:
        entries = []
        for member in staff:
            if member.joined_on > day or (member.left_on is not None and member.left_on < day):
                continue
            roll = self.rng.random()
            status = "PRESENT" if roll < 0.82 else "HALF_DAY" if roll < 0.9 else "ABSENT" if roll < 0.96 else "LEAVE"
            entries.append({"staff_id": member.id, "status": status})
        if entries:
            staff_service.mark_attendance(mill=self.mill, day=day, entries=entries, actor=self.operator)

    def set_minimums(self) -> None:
        """Minimums a little under the stock of the morning, except BRAN, set above it: one low stock."""
        stocks = self._stocks()
        for stock_type in StockType:
            quantity = stocks[stock_type.value]
            factor = Decimal("1.5") if stock_type == StockType.BRAN else Decimal("0.2")
            minimum = _kg(max(int(quantity * factor / 100) * 100, 100))
            inventory_service.set_minimum_level(
                mill=self.mill, stock_type=stock_type, minimum=minimum, actor=self.owner
            )
