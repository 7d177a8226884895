/* A printable receipt. */
(function () {
  'use strict';
  const id = document.getElementById('receipt').dataset.receiptId;
  document.getElementById('print').addEventListener('click', () => window.print());
  RM.onLoad(async () => {
    const r = (await RM.millApi(`/receipts/${id}`)).data;
    const set = (el, text) => { document.getElementById(el).textContent = text; };
    set('r-no', r.receiptNo);
    set('r-date', RM.fmt.date(r.receiptDate));
    set('r-party', r.partyName);
    set('r-amount', RM.fmt.money(r.amount));
    set('r-words', r.amountInWords);
    const payment = (await RM.millApi(`/payments/${r.paymentId}`)).data;
    set('r-mode', RM.fmt.status(payment.mode) + (payment.reference ? ` · ${payment.reference}` : ''));
  });
})();
