/* Parties: balances (who owes the mill, whom it owes), a new party; live on every document event. */
import { millApi } from './api.js';
import { bindForm } from './forms.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E } from './meta.js';
import { renderRows } from './ui.js';

const tbody = document.querySelector('#parties-table tbody');
let owing = '';

async function load() {
  const query = new URLSearchParams({ perPage: '100' });
  if (owing) query.set('owing', owing);
  const res = await millApi(`/parties?${query}`);
  renderRows(tbody, res.data || [], [
    { key: 'name', label: 'Name', fmt: 'text' },
    { key: 'kind', label: 'Kind', fmt: 'status' },
    { key: 'phone', label: 'Phone', fmt: 'text' },
    { key: 'village', label: 'Village', fmt: 'text' },
    { key: 'balance', label: 'Balance', fmt: 'money' },
  ], (p, td) => {
    const a = document.createElement('a');
    a.href = `/parties/${p.id}${location.search}`;
    a.textContent = 'Ledger';
    td.append(a);
  });
}
document.querySelectorAll('input[name="owing"]').forEach((radio) => radio.addEventListener('change', () => {
  owing = radio.value;
  load();
}));
onLoad(load);
const reload = debounce(load);
[
  E.PARTY_CREATED, E.PARTY_UPDATED, E.PURCHASE_CREATED, E.PURCHASE_UPDATED, E.PURCHASE_DELETED,
  E.SALE_CREATED, E.SALE_UPDATED, E.SALE_DELETED, E.PAYMENT_MADE, E.PAYMENT_RECEIVED,
].forEach((n) => on(n, reload));

const form = document.getElementById('party-form');
if (form) {
  bindForm(form, { submit: (data) => millApi('/parties', { method: 'POST', body: data }), done: reload });
}
