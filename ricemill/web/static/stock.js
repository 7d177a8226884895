/* Stock: levels against minimums, a type's ledger, minimum levels and adjustments; live. */
import { millApi } from './api.js';
import { fmt } from './format.js';
import { bindForm } from './forms.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E } from './meta.js';
import { button, renderRows } from './ui.js';

const tbody = document.querySelector('#stock-table tbody');
const ledger = document.querySelector('#ledger tbody');
let selected = 'PADDY';

async function loadStock() {
  const res = await millApi('/stock');
  renderRows(tbody, (res.data || []).map((s) => ({ ...s, id: s.stockType })), [
    { key: 'stockType', label: 'Type', fmt: 'stockType' },
    { key: 'quantity', label: 'In stock', fmt: 'kg' },
    { key: 'minStockLevel', label: 'Minimum', fmt: 'kg' },
  ], (s, td) => td.append(button('Ledger', () => { selected = s.stockType; loadLedger(); })));
  (res.data || []).forEach((s) => {
    const tr = tbody.querySelector(`tr[data-id="${s.stockType}"]`);
    if (tr) {
      tr.dataset.stockType = s.stockType;
      if (Number(s.minStockLevel) > 0 && Number(s.quantity) < Number(s.minStockLevel)) tr.className = 'low';
    }
  });
}
async function loadLedger() {
  const res = await millApi(`/stock/${selected}`);
  document.getElementById('ledger-title').textContent = `Ledger: ${fmt.stockType(selected)}`;
  renderRows(ledger, (res.data && res.data.ledger) || [], [
    { key: 'createdAt', label: 'When', fmt: 'datetime' },
    { key: 'change', label: 'Change', fmt: 'kg' },
    { key: 'quantityAfter', label: 'After', fmt: 'kg' },
    { key: 'reason', label: 'Reason', fmt: 'text' },
  ]);
}
onLoad(loadStock);
onLoad(loadLedger);
const reload = debounce(() => { loadStock(); loadLedger(); });
[E.STOCK_UPDATED, E.STOCK_LOW_ALERT].forEach((n) => on(n, reload));

bindForm(document.getElementById('min-form'), {
  submit: ({ stockType, ...rest }, opts) => millApi(`/stock/${stockType || 'PADDY'}`, { method: 'PATCH', body: rest, ...opts }),
  done: reload,
});
bindForm(document.getElementById('adjust-form'), {
  submit: (data, opts) => millApi('/stock/adjustments', { method: 'POST', body: data, ...opts }),
});
