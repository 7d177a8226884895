/* Parties: the sums owed to the mill and by it, balances (who owes the mill, whom it owes), a new
   party or an edit of one (PATCH); live on every document event. */
import { millApi } from './api.js';
import { fmt } from './format.js';
import { bindForm, clearErrors } from './forms.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E } from './meta.js';
import { button, renderRows, setText } from './ui.js';

const table = document.getElementById('parties-table');
const tbody = table.querySelector('tbody');
const canEdit = table.dataset.canEdit === '1';
let owing = '';

async function load() {
  const query = new URLSearchParams({ perPage: '100' });
  if (owing) query.set('owing', owing);
  const res = await millApi(`/parties?${query}`);
  const totals = (res.meta && res.meta.totals) || {};
  setText('owed-to-us', fmt.money(totals.owedToUs || 0));
  setText('we-owe', fmt.money(totals.weOwe || 0));
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
    if (canEdit) td.append(' ', button('Edit', () => startEdit(p), 'link'));
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

// --- the form: a new party, or the party being edited (sent as a PATCH) ------------------------
const form = document.getElementById('party-form');
const title = document.getElementById('party-form-title');
const cancel = document.getElementById('party-edit-cancel');
const FIELDS = ['kind', 'name', 'phone', 'village', 'address', 'state', 'gstin', 'openingBalance'];
const REQUIRED = ['kind', 'name'];
let editing = null; // the party being edited, as listed
const hiddenForNew = form ? form.hidden : true; // a role that may edit but not add

function setEditing(party) {
  editing = party;
  const submit = form.querySelector('button[type="submit"]');
  form.dataset.editId = party ? party.id : '';
  if (!party) delete form.dataset.editId;
  form.hidden = party ? false : hiddenForNew;
  title.textContent = party ? `Edit party · ${party.name}` : title.dataset.new;
  submit.textContent = party ? 'Save changes' : submit.dataset.new;
  cancel.hidden = !party;
}

function startEdit(party) {
  clearErrors(form);
  form.reset();
  FIELDS.forEach((name) => {
    const el = form.elements.namedItem(name);
    const value = party[name];
    if (el) el.value = value === null || value === undefined ? '' : String(value);
  });
  setEditing(party);
  form.closest('.card').scrollIntoView({ behavior: 'smooth', block: 'start' });
  form.elements.namedItem('name').focus({ preventScroll: true });
}

function endEdit() {
  form.reset();
  clearErrors(form);
  delete form.dataset.dirty;
  setEditing(null);
  form.dispatchEvent(new Event('input-reset'));
}

if (form) {
  cancel.addEventListener('click', endEdit);
  bindForm(form, {
    submit: (data, opts) => {
      if (!editing) return millApi('/parties', { method: 'POST', body: data, ...opts });
      const body = { ...data };
      FIELDS.forEach((name) => { // what was emptied is cleared, not kept
        const was = editing[name];
        if (REQUIRED.includes(name) || name in body || was === null || was === undefined || was === '') return;
        body[name] = name === 'openingBalance' ? 0 : null;
      });
      return millApi(`/parties/${editing.id}`, { method: 'PATCH', body, ...opts });
    },
    done: () => { if (editing) setEditing(null); reload(); },
  });
}
