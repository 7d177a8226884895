/* A document page (purchases, sales, inward, outward, payments, staff): its list, live, and its form. */
import { millApi } from './api.js';
import { fmt, today } from './format.js';
import { bindForm } from './forms.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E, constants, ctx } from './meta.js';
import { button, renderRows, setText as set, toast } from './ui.js';

const spec = JSON.parse(document.getElementById('doc-spec').textContent);
const tbody = document.querySelector('#doc-list tbody');
const form = document.getElementById('doc-form');

// the buttons a role may use (the server checks again: 403 otherwise)
const canDelete = document.getElementById('doc-list').dataset.canDelete === '1';
const canLeave = document.getElementById('doc-list').dataset.canLeave === '1';
function rowActions(item, td) {
  if (canDelete) {
    td.append(button('Delete', async () => {
      // deleting reverses its stock movement on the server; the list updates from the event
      if (!window.confirm(`Delete this ${spec.singular}? Its stock movement is reversed.`)) return;
      try {
        await millApi(`/${spec.path}/${item.id}`, { method: 'DELETE' });
      } catch (err) {
        toast(err.message, 'error');
      }
    }, 'link'));
  }
  if (canLeave && item.status === 'ACTIVE') {
    td.append(button('Mark left', async () => {
      try {
        await millApi(`/staff/${item.id}/leave`, { method: 'POST', body: { leftOn: today() } });
      } catch (err) {
        toast(err.message, 'error');
      }
    }));
  }
}
function receiptUrl(id) {
  const mill = new URLSearchParams(location.search).get('mill');
  return `/receipts/${id}` + (mill ? `?mill=${mill}` : '');
}
const columns = spec.columns;
const hasActions = canLeave || canDelete;

async function loadList() {
  const res = await millApi(`/${spec.path}?perPage=50`);
  renderRows(tbody, res.data || [], columns, hasActions ? rowActions : null);
}
async function loadReceipts() {
  const rbody = document.querySelector('#receipt-list tbody');
  if (!rbody) return;
  const res = await millApi('/receipts?perPage=20');
  renderRows(rbody, res.data || [], [
    { key: 'receiptNo', label: 'No.', fmt: 'int' },
    { key: 'receiptDate', label: 'Date', fmt: 'date' },
    { key: 'partyName', label: 'Party', fmt: 'text' },
    { key: 'amount', label: 'Amount', fmt: 'money' },
  ], (item, td) => {
    const a = document.createElement('a');
    a.href = receiptUrl(item.id);
    a.textContent = 'Print';
    td.append(a);
  });
}
// Selects of documents that still have a balance (a payment may settle one).
async function loadSources() {
  if (!form) return;
  await Promise.all([...form.querySelectorAll('select[data-source]')].map(async (select) => {
    const res = await millApi(`/${select.dataset.source}?perPage=100`);
    const keep = select.value;
    select.replaceChildren(new Option('—', ''));
    (res.data || []).filter((d) => d.paymentStatus !== 'PAID').forEach((d) => {
      const due = Number(d.amount) - Number(d.paidAmount || 0);
      const who = d.farmerName || d.buyerName;
      const when = fmt.date(d.purchaseDate || d.saleDate);
      select.append(new Option(`${who} · ${when} · due ${fmt.money(due)}`, d.id));
    });
    select.value = keep;
  }));
}
onLoad(loadList);
onLoad(loadReceipts);
onLoad(loadSources);
const reload = debounce(() => { loadList(); loadReceipts(); loadSources(); });
spec.events.forEach((key) => on(E[key], reload));

// Live preview with the server's formula (docs/domain.md): for a lot W = gross − tare at moisture M
// above the mill's standard Mstd, deduction = W × (M − Mstd) / (100 − Mstd); amount = net / 100 × rate.
const PER_QUINTAL = constants.kgPerQuintal;
function num(name) {
  const el = form.elements.namedItem(name);
  const n = el ? Number(el.value) : NaN;
  return el && el.value !== '' && Number.isFinite(n) ? n : null;
}
const round = (n, places) => Math.round((n + Number.EPSILON) * 10 ** places) / 10 ** places;
function preview() {
  if (spec.preview === 'purchase') {
    const std = ctx.standardMoisture;
    set('pv-std', String(std));
    const gross = num('grossWeightKg');
    const tare = num('tareWeightKg') || 0;
    const moisture = num('moisturePercent');
    const rate = num('ratePerQuintal');
    if (gross === null) { ['pv-weight', 'pv-deduction', 'pv-net', 'pv-amount'].forEach((id) => set(id, '–')); return; }
    const weight = gross - tare;
    const deduction = moisture !== null && moisture > std ? round((weight * (moisture - std)) / (100 - std), 3) : 0;
    const net = round(weight - deduction, 3);
    set('pv-weight', fmt.kg(round(weight, 3)));
    set('pv-deduction', fmt.kg(deduction));
    set('pv-net', fmt.kg(net));
    set('pv-amount', rate === null ? '–' : fmt.money(round((net / PER_QUINTAL) * rate, 2)));
  } else if (spec.preview === 'sale') {
    const qty = num('quantityKg');
    const rate = num('ratePerQuintal');
    set('pv-net', qty === null ? '–' : fmt.kg(qty));
    set('pv-amount', qty === null || rate === null ? '–' : fmt.money(round((qty / PER_QUINTAL) * rate, 2)));
  }
}

if (form) {
  bindForm(form, { submit: (data, opts) => millApi(`/${spec.path}`, { method: 'POST', body: data, ...opts }) });
  if (spec.preview) {
    form.addEventListener('input', preview);
    form.addEventListener('input-reset', preview);
    preview();
  }
}
