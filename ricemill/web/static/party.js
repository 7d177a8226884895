/* One party's ledger between two dates, with the running balance; live on every document event. */
import { millApi } from './api.js';
import { fmt } from './format.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E } from './meta.js';
import { renderRows } from './ui.js';

const id = document.getElementById('party').dataset.partyId;
const tbody = document.querySelector('#ledger-table tbody');
const range = document.getElementById('ledger-range');
const labels = {
  PURCHASE: 'Purchase', SALE: 'Sale', PAYMENT_MADE: 'Payment made', PAYMENT_RECEIVED: 'Payment received',
};
const set = (el, text) => { document.getElementById(el).textContent = text; };

async function load() {
  const query = new URLSearchParams();
  ['dateFrom', 'dateTo'].forEach((k) => { if (range[k].value) query.set(k, range[k].value); });
  set('range-error', '');
  let res;
  try {
    res = await millApi(`/parties/${id}/ledger?${query}`);
  } catch (err) {
    set('range-error', (err.errors && err.errors[0] && err.errors[0].message) || err.message);
    return;
  }
  const d = res.data;
  const p = d.party;
  set('party-name', `${p.name} · ${fmt.status(p.kind)}`);
  set('party-details', [p.phone, p.village, p.state, p.gstin && `GSTIN ${p.gstin}`].filter(Boolean).join(' · '));
  set('opening', fmt.money(d.opening));
  set('closing', fmt.money(d.closing));
  set('balance-now', fmt.money(p.balance));
  renderRows(tbody, d.entries.map((e) => ({ ...e, entry: labels[e.type] || e.type })), [
    { key: 'date', label: 'Date', fmt: 'date' },
    { key: 'entry', label: 'Entry', fmt: 'text' },
    { key: 'ref', label: 'Ref', fmt: 'text' },
    { key: 'debit', label: 'Debit', fmt: 'money' },
    { key: 'credit', label: 'Credit', fmt: 'money' },
    { key: 'balance', label: 'Balance', fmt: 'money' },
  ], (e, td) => {
    const path = { SALE: 'sales', PURCHASE: 'purchases' }[e.type];
    if (!path) return;
    const a = document.createElement('a');
    a.href = `/print/${path}/${e.documentId}${location.search}`;
    a.textContent = e.type === 'SALE' ? 'Invoice' : 'Slip';
    td.append(a);
  });
  document.getElementById('party').dataset.closing = String(d.closing);
}
range.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
onLoad(load);
const reload = debounce(load);
[
  E.PARTY_UPDATED, E.PURCHASE_CREATED, E.PURCHASE_UPDATED, E.PURCHASE_DELETED,
  E.SALE_CREATED, E.SALE_UPDATED, E.SALE_DELETED, E.PAYMENT_MADE, E.PAYMENT_RECEIVED,
].forEach((n) => on(n, reload));
