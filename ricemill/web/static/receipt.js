/* A printable receipt. */
import { millApi } from './api.js';
import { fmt } from './format.js';
import { onLoad } from './lifecycle.js';
import { setText as set } from './ui.js';

const id = document.getElementById('receipt').dataset.receiptId;
document.getElementById('print').addEventListener('click', () => window.print());
onLoad(async () => {
  const r = (await millApi(`/receipts/${id}`)).data;
  set('r-no', r.receiptNo);
  set('r-date', fmt.date(r.receiptDate));
  set('r-party', r.partyName);
  set('r-amount', fmt.money(r.amount));
  set('r-words', r.amountInWords);
  const payment = (await millApi(`/payments/${r.paymentId}`)).data;
  set('r-mode', fmt.label(payment.mode) + (payment.reference ? ` · ${payment.reference}` : ''));
});
