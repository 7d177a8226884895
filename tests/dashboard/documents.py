"""Rows written straight through the models, so a dashboard test states every number it expects.

(The services compute amounts and write ledgers; here the test picks the stored values itself.)
"""

import itertools
from datetime import date, datetime
from decimal import Decimal

from ricemill.extensions import db
from ricemill.finance.types import PaymentStatus
from ricemill.milling.models import BatchStatus, MillingBatch
from ricemill.purchases.models import PaddyPurchase
from ricemill.sales.models import Sale
from ricemill.staff.models import Attendance, AttendanceStatus, Staff, StaffStatus

_invoice = itertools.count(1)


def _status(amount, paid) -> PaymentStatus:
    if paid == 0:
        return PaymentStatus.PENDING
    return PaymentStatus.PAID if paid == amount else PaymentStatus.PARTIAL


def purchase(mill, day: date, net_kg, amount, paid=0) -> PaddyPurchase:
    net_kg, amount, paid = Decimal(str(net_kg)), Decimal(str(amount)), Decimal(str(paid))
    row = PaddyPurchase(
        mill_id=mill.id,
        farmer_name="Farmer",
        gross_weight_kg=net_kg,
        tare_weight_kg=0,
        moisture_percent=17,
        standard_moisture_percent=17,
        moisture_deduction_kg=0,
        net_weight_kg=net_kg,
        rate_per_quintal=2200,
        amount=amount,
        purchase_date=day,
        paid_amount=paid,
        payment_status=_status(amount, paid),
    )
    db.session.add(row)
    return row


def sale(mill, day: date, kg, amount, paid=0, stock_type="RICE") -> Sale:
    kg, amount, paid = Decimal(str(kg)), Decimal(str(amount)), Decimal(str(paid))
    row = Sale(
        mill_id=mill.id,
        invoice_no=next(_invoice),
        buyer_name="Buyer",
        stock_type=stock_type,
        quantity_kg=kg,
        rate_per_quintal=4000,
        amount=amount,
        sale_date=day,
        paid_amount=paid,
        payment_status=_status(amount, paid),
    )
    db.session.add(row)
    return row


def batch(mill, input_kg, rice_kg=None, completed_at: datetime | None = None) -> MillingBatch:
    row = MillingBatch(mill_id=mill.id, paddy_input_kg=Decimal(str(input_kg)), status=BatchStatus.IN_PROGRESS)
    if completed_at is not None:
        row.status = BatchStatus.COMPLETED
        row.rice_kg = Decimal(str(rice_kg))
        row.completed_at = completed_at
        row.outturn_percent = (row.rice_kg * 100 / row.paddy_input_kg).quantize(Decimal("0.001"))
    db.session.add(row)
    return row


def staff(mill, name, joined_on: date, left_on: date | None = None) -> Staff:
    row = Staff(
        mill_id=mill.id,
        name=name,
        daily_wage=500,
        joined_on=joined_on,
        left_on=left_on,
        status=StaffStatus.LEFT if left_on else StaffStatus.ACTIVE,
    )
    db.session.add(row)
    db.session.flush()
    return row


def attendance(member: Staff, day: date, status: str) -> Attendance:
    row = Attendance(mill_id=member.mill_id, staff_id=member.id, attendance_date=day, status=AttendanceStatus(status))
    db.session.add(row)
    return row
