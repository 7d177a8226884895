/* Reports: one table per report from /reports/<name>, filters, CSV/XLSX links; live on the
   events of the documents it sums. */
import { millApi } from './api.js';
import { fmt } from './format.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E, ctx } from './meta.js';
import { renderRows } from './ui.js';

const name = document.getElementById('report').dataset.report;
const form = document.getElementById('report-filters');
const table = document.getElementById('report-table');
const COLUMNS = {
  'day-book': [['type', 'Entry', 'status'], ['ref', 'Ref', 'text'], ['party', 'Party', 'text'],
    ['stockType', 'Stock', 'status'], ['quantityKg', 'Quantity', 'kg'], ['amount', 'Amount', 'money']],
  'stock-statement': [['stockType', 'Stock', 'status'], ['openingKg', 'Opening', 'kg'], ['inKg', 'In', 'kg'],
    ['outKg', 'Out', 'kg'], ['closingKg', 'Closing', 'kg']],
  milling: [['completedAt', 'Completed', 'datetime'], ['variety', 'Variety', 'text'],
    ['paddyInputKg', 'Paddy in', 'kg'], ['riceKg', 'Rice', 'kg'], ['outturnPercent', 'Outturn %', 'text'],
    ['lossKg', 'Loss', 'kg'], ['lossPercent', 'Loss %', 'text']],
};
function registerColumns(groupBy) {
  const weight = name === 'purchases' ? ['netWeightKg', 'Net weight', 'kg'] : ['quantityKg', 'Quantity', 'kg'];
  const first = { day: ['day', 'Date', 'date'], party: ['party', 'Party', 'text'], variety: ['variety', 'Variety', 'text'] };
  return [first[groupBy], ['count', 'Documents', 'text'], weight, ['amount', 'Amount', 'money'],
    ['paidAmount', 'Paid', 'money'], ['balance', 'Balance', 'money']];
}
function query(extra) {
  const q = new URLSearchParams();
  Array.from(form.elements).forEach((el) => { if (el.name && el.value) q.set(el.name, el.value); });
  Object.entries(extra || {}).forEach(([k, v]) => q.set(k, v));
  return q;
}
function exportLinks() {
  const base = `/api/v1/mills/${ctx.millId}/reports/${name}`;
  document.getElementById('export-csv').href = `${base}?${query({ format: 'csv' })}`;
  document.getElementById('export-xlsx').href = `${base}?${query({ format: 'xlsx' })}`;
}
async function load() {
  exportLinks();
  document.getElementById('report-error').textContent = '';
  let res;
  try {
    res = await millApi(`/reports/${name}?${query()}`);
  } catch (err) {
    document.getElementById('report-error').textContent = (err.errors && err.errors[0] && err.errors[0].message) || err.message;
    return;
  }
  const data = res.data;
  const columns = (COLUMNS[name] || registerColumns(data.groupBy)).map(([key, label, f]) => ({ key, label, fmt: f }));
  const head = table.querySelector('thead tr');
  head.replaceChildren(...columns.map((c) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = c.label;
    return th;
  }));
  renderRows(table.querySelector('tbody'), data.rows, columns);
  const totals = document.getElementById('report-totals');
  totals.replaceChildren();
  const add = (label, text) => {
    const div = document.createElement('div');
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = label;
    dd.textContent = text;
    div.append(dt, dd);
    totals.append(div);
  };
  if (name === 'day-book') {
    Object.entries(data.totals).forEach(([kind, t]) => {
      if (t.count) add(fmt.status(kind), `${t.count} · ${t.amount ? fmt.money(t.amount) : fmt.kg(t.quantityKg)}`);
    });
  } else if (name === 'milling') {
    const t = data.totals;
    add('Batches', String(t.batches));
    add('Outturn', t.outturnPercent === null ? '–' : `${t.outturnPercent}%`);
    add('Loss', t.lossPercent === null ? '–' : `${t.lossPercent}% (average ${fmt.kg(t.averageLossKg)} a batch)`);
  } else if (data.totals) {
    add('Documents', String(data.totals.count));
    add('Amount', fmt.money(data.totals.amount));
    add('Balance', fmt.money(data.totals.balance));
  }
  table.dataset.rows = String(data.rows.length);
}
form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
form.addEventListener('change', exportLinks);
onLoad(load);
const reload = debounce(load);
[
  E.PURCHASE_CREATED, E.PURCHASE_UPDATED, E.PURCHASE_DELETED, E.SALE_CREATED, E.SALE_UPDATED, E.SALE_DELETED,
  E.PAYMENT_MADE, E.PAYMENT_RECEIVED, E.INWARD_CREATED, E.OUTWARD_CREATED, E.MILLING_COMPLETED, E.STOCK_UPDATED,
  E.PARTY_UPDATED,
].forEach((n) => on(n, reload));
