/* Milling: start a batch; complete one with its outputs (outturn and loss previewed); live list. */
import { millApi } from './api.js';
import { fmt } from './format.js';
import { bindForm } from './forms.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E, constants } from './meta.js';
import { button, renderRows } from './ui.js';

const tbody = document.querySelector('#batch-list tbody');
const start = document.getElementById('start-form');
const complete = document.getElementById('complete-form');
let current = null;

const columns = [
  { key: 'startedAt', label: 'Started', fmt: 'datetime' },
  { key: 'variety', label: 'Variety', fmt: 'text' },
  { key: 'paddyInputKg', label: 'Paddy in', fmt: 'kg' },
  { key: 'status', label: 'Status', fmt: 'status' },
  { key: 'riceKg', label: 'Rice', fmt: 'kg' },
  { key: 'outturnPercent', label: 'Outturn', fmt: 'percent' },
  { key: 'lossKg', label: 'Loss', fmt: 'kg' },
];
function normalise(b) {
  // outputs come as {RICE: kg, ...}; show rice in its own column
  return { ...b, riceKg: (b.outputs || {}).RICE ?? null };
}
async function load() {
  const res = await millApi('/milling-batches?perPage=50');
  renderRows(tbody, (res.data || []).map(normalise), columns, (b, td) => {
    if (b.status === 'IN_PROGRESS' && complete) td.append(button('Complete', () => openComplete(b)));
  });
}
function openComplete(b) {
  current = b;
  complete.hidden = false;
  document.getElementById('complete-label').textContent = `${b.variety || ''} · ${fmt.kg(b.paddyInputKg)}`;
  complete.querySelector('input').focus();
  preview();
}
function preview() {
  if (!current) return;
  const val = (t) => Number(complete.elements.namedItem(`outputs.${t}`)?.value || 0);
  const input = Number(current.paddyInputKg);
  const total = constants.millingOutputs.reduce((s, t) => s + val(t), 0);
  document.getElementById('pv-outturn').textContent = input ? fmt.percent((val('RICE') / input) * 100) : '–';
  document.getElementById('pv-loss').textContent = fmt.kgExact(Math.round((input - total) * 1000) / 1000);
}
onLoad(load);
const reload = debounce(load);
[E.MILLING_STARTED, E.MILLING_COMPLETED].forEach((n) => on(n, reload));

bindForm(start, { submit: (data, opts) => millApi('/milling-batches', { method: 'POST', body: data, ...opts }) });
if (complete) {
  bindForm(complete, {
    submit: (data, opts) => millApi(`/milling-batches/${current.id}/complete`, { method: 'POST', body: data, ...opts }),
    done: () => { complete.hidden = true; current = null; },
  });
  complete.addEventListener('input', preview);
  document.getElementById('complete-cancel').addEventListener('click', () => { complete.hidden = true; current = null; });
}
