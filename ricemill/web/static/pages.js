/* A document page (purchases, sales, inward, outward, payments, staff): its list (paging, search,
   dates, totals of the filtered rows), live, and its form (new, or edit a row). */
import { millApi } from './api.js';
import { fmt, today } from './format.js';
import { bindForm, clearErrors, showErrors } from './forms.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E, constants, ctx } from './meta.js';
import { button, renderRows, setText as set, toast } from './ui.js';

const spec = JSON.parse(document.getElementById('doc-spec').textContent);
const table = document.getElementById('doc-list');
const tbody = table.querySelector('tbody');
const form = document.getElementById('doc-form');
const filterForm = document.getElementById('list-filter');
const PER_PAGE = 20;
const label = spec.singular.charAt(0).toUpperCase() + spec.singular.slice(1);

// the buttons a role may use (the server checks again: 403 otherwise)
const canDelete = table.dataset.canDelete === '1';
const canLeave = table.dataset.canLeave === '1';
const canEdit = table.dataset.canEdit === '1';

// --- the list: one page of the filtered rows, the filters in the URL's own state -------------
const list = { page: 1, total: 0, focus: new URLSearchParams(location.search).get('id') };

function filterQuery() {
  const q = new URLSearchParams();
  if (!filterForm) return q;
  for (const el of filterForm.elements) {
    if (el.name && el.value.trim() !== '') q.set(el.name, el.value.trim());
  }
  return q;
}

function showTotals(meta) {
  const box = document.getElementById('list-totals');
  if (!box) return;
  const count = `${meta.total.toLocaleString('en-IN')} ${meta.total === 1 ? spec.singular : `${spec.singular}s`}`;
  const sums = (spec.totals || []).map((c) => `${c.label} ${(fmt[c.fmt] || fmt.text)((meta.totals || {})[c.key])}`);
  box.textContent = [count, ...sums].join(' · ');
}

function showPager() {
  const pages = Math.max(1, Math.ceil(list.total / PER_PAGE));
  set('page-info', list.focus ? 'One document' : `Page ${list.page} of ${pages}`);
  document.getElementById('page-prev').disabled = !!list.focus || list.page <= 1;
  document.getElementById('page-next').disabled = !!list.focus || list.page >= pages;
}

async function loadList() {
  if (list.focus) { // a notification's link: that one document, and a way back to all
    let item = null;
    try {
      item = (await millApi(`/${spec.path}/${list.focus}`)).data;
    } catch (_) { /* deleted since: an empty list says so */ }
    renderRows(tbody, item ? [item] : [], spec.columns, hasActions ? rowActions : null);
    const row = item && tbody.querySelector('tr');
    if (row) row.classList.add('focus');
    const box = document.getElementById('list-totals');
    box.replaceChildren(item ? `This ${spec.singular}. ` : `This ${spec.singular} is gone. `, button('Show all', () => {
      list.focus = null;
      const url = new URL(location.href);
      url.searchParams.delete('id');
      history.replaceState(null, '', url.pathname + url.search);
      loadList();
    }, 'link'));
    list.total = item ? 1 : 0;
    showPager();
    return;
  }
  const q = filterQuery();
  q.set('page', String(list.page));
  q.set('perPage', String(PER_PAGE));
  let res;
  try {
    res = await millApi(`/${spec.path}?${q}`);
  } catch (err) {
    if (filterForm && err.status === 422) showErrors(filterForm, err);
    else throw err;
    return;
  }
  if (filterForm) clearErrors(filterForm);
  list.total = res.meta.total;
  const pages = Math.max(1, Math.ceil(list.total / PER_PAGE));
  if (list.page > pages) { // the last page emptied (a delete): show the one before
    list.page = pages;
    loadList();
    return;
  }
  renderRows(tbody, res.data || [], spec.columns, hasActions ? rowActions : null);
  if (!res.data.length && q.toString().replace(/&?(page|perPage)=\d+/g, '')) {
    tbody.querySelector('td.empty').textContent = 'Nothing matches these filters.';
  }
  showTotals(res.meta);
  showPager();
}

document.getElementById('page-prev').addEventListener('click', () => { list.page -= 1; loadList(); });
document.getElementById('page-next').addEventListener('click', () => { list.page += 1; loadList(); });
if (filterForm) {
  const refilter = debounce(() => { list.page = 1; loadList(); }, 300);
  filterForm.addEventListener('input', refilter);
  filterForm.addEventListener('change', refilter);
  filterForm.addEventListener('submit', (event) => { event.preventDefault(); refilter(); });
}

// --- row actions: print (slip, invoice), edit, delete (confirmed), staff leaving --------------
function printUrl(id) {
  const mill = new URLSearchParams(location.search).get('mill');
  return `/print/${spec.print.path}/${id}` + (mill ? `?mill=${mill}` : '');
}
function rowActions(item, td) {
  td.className = 'actions';
  if (spec.print) {
    const a = document.createElement('a');
    a.href = printUrl(item.id);
    a.className = 'print-link';
    a.textContent = spec.print.label;
    a.setAttribute('aria-label', `Print the ${spec.print.label.toLowerCase()}`);
    td.append(a);
  }
  if (canEdit) td.append(button('Edit', () => startEdit(item), 'link'));
  if (canDelete) {
    td.append(button('Delete', async () => {
      // deleting reverses its stock movement on the server; the list updates from the event
      const who = item.farmerName || item.buyerName || item.partyName || '';
      if (!window.confirm(`Delete this ${spec.singular}${who ? ` of ${who}` : ''}? Its stock movement is reversed.`)) return;
      try {
        const res = await millApi(`/${spec.path}/${item.id}`, { method: 'DELETE' });
        toast(res.message || `${label} deleted`, 'success');
        if (form && form.dataset.editId === item.id) endEdit();
      } catch (err) {
        toast(err.message, 'error');
      }
    }, 'link danger'));
  }
  if (canLeave && item.status === 'ACTIVE') {
    td.append(button('Mark left', async () => {
      try {
        const res = await millApi(`/staff/${item.id}/leave`, { method: 'POST', body: { leftOn: today() } });
        toast(res.message || 'Marked as left', 'success');
      } catch (err) {
        toast(err.message, 'error');
      }
    }));
  }
}
const hasActions = canLeave || canDelete || canEdit || !!spec.print;

// --- edit: the same form, filled with the row, sent as a PATCH -------------------------------
const title = document.getElementById('form-title');
const submitButton = form && form.querySelector('button[type="submit"]');
const cancel = document.getElementById('edit-cancel');
let wasHidden = false;

function setEditing(id, name) {
  if (!form) return;
  if (id) {
    form.dataset.editId = id;
    wasHidden = wasHidden || form.hidden;
    form.hidden = false;
    title.textContent = `Edit ${spec.singular}${name ? ` · ${name}` : ''}`;
    submitButton.textContent = 'Save changes';
    cancel.hidden = false;
  } else {
    editingItem = null;
    delete form.dataset.editId;
    form.hidden = wasHidden;
    wasHidden = false;
    title.textContent = title.dataset.new;
    submitButton.textContent = submitButton.dataset.new;
    cancel.hidden = true;
  }
}

let editingItem = null; // the row being edited, as loaded: an optional field emptied is sent as null

function startEdit(item) {
  editingItem = item;
  clearErrors(form);
  form.reset();
  spec.fields.forEach((f) => {
    const el = form.elements.namedItem(f.name);
    const value = item[f.name];
    if (el) el.value = value === null || value === undefined ? '' : String(value);
  });
  setEditing(item.id, item.farmerName || item.buyerName);
  form.dispatchEvent(new Event('input-reset'));
  form.closest('.card').scrollIntoView({ behavior: 'smooth', block: 'start' });
  form.querySelector('input, select')?.focus({ preventScroll: true });
}

function endEdit() {
  form.reset();
  clearErrors(form);
  delete form.dataset.dirty;
  form.querySelectorAll('[data-today]').forEach((el) => { el.value = today(); });
  setEditing(null);
  form.dispatchEvent(new Event('input-reset'));
}

// --- payments: only the document select of the chosen direction ------------------------------
function applyWhen() {
  if (!form) return;
  form.querySelectorAll('[data-when-field]').forEach((box) => {
    const ctl = form.elements.namedItem(box.dataset.whenField);
    const show = !!ctl && ctl.value === box.dataset.whenValue;
    box.hidden = !show;
    box.querySelectorAll('input, select, textarea').forEach((el) => { el.disabled = !show; });
  });
}

function receiptUrl(id) {
  const mill = new URLSearchParams(location.search).get('mill');
  return `/receipts/${id}` + (mill ? `?mill=${mill}` : '');
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
    const keep = select.value || select.dataset.keep || '';
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

// --- checks with the server's limits, and the live preview ----------------------------------
// The server's formula (docs/domain.md): for a lot W = gross − tare at moisture M above the mill's
// standard Mstd, deduction = W × (M − Mstd) / (100 − Mstd); amount = net / 100 × rate.
const PER_QUINTAL = constants.kgPerQuintal;
const LIMITS = constants.limits;
const inr = (n) => n.toLocaleString('en-IN');
function num(name, data) {
  const raw = data ? data[name] : form.elements.namedItem(name)?.value;
  if (raw === undefined || raw === null || raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : NaN;
}
const round = (n, places) => Math.round((n + Number.EPSILON) * 10 ** places) / 10 ** places;

/** Field errors the server would give for numbers out of its bounds ([{field, message}]). */
function check(data) {
  const errors = [];
  const within = (name, max, unit = '', { positive = false } = {}) => {
    const n = num(name, data);
    if (n === null) return;
    if (Number.isNaN(n)) errors.push({ field: name, message: 'Enter a number.' });
    else if (n < 0 || (positive && n === 0)) errors.push({ field: name, message: positive ? 'Must be more than 0.' : 'Must not be negative.' });
    else if (n > max) errors.push({ field: name, message: `Must be at most ${inr(max)}${unit}.` });
  };
  if (spec.preview === 'purchase') {
    within('grossWeightKg', LIMITS.maxLotKg, ' kg', { positive: true });
    within('tareWeightKg', LIMITS.maxLotKg, ' kg');
    within('moisturePercent', LIMITS.maxMoisturePercent, '%');
    const gross = num('grossWeightKg', data);
    const tare = num('tareWeightKg', data) || 0;
    if (gross !== null && !Number.isNaN(gross) && tare >= gross && !errors.some((e) => e.field === 'tareWeightKg')) {
      errors.push({ field: 'tareWeightKg', message: 'Must be less than the gross weight.' });
    }
  }
  if (spec.preview) {
    within('ratePerQuintal', LIMITS.maxRatePerQuintal, ' per quintal', { positive: true });
    within('bags', LIMITS.maxBags);
  }
  if (spec.preview === 'sale') within('quantityKg', LIMITS.maxLotKg, ' kg', { positive: true });
  return errors;
}

/** Show `errors` by their fields now (as the user types), without touching other fields' errors. */
function markLive(errors, names) {
  names.forEach((name) => {
    const slot = form.querySelector(`.field-error[data-error-for="${name}"]`);
    const input = form.elements.namedItem(name);
    const hit = errors.find((e) => e.field === name);
    if (!slot || !input) return;
    if (hit) {
      slot.textContent = hit.message;
      input.setAttribute('aria-invalid', 'true');
    } else if (slot.dataset.live === '1') {
      slot.textContent = '';
      input.removeAttribute('aria-invalid');
    }
    slot.dataset.live = hit ? '1' : '';
  });
}

function preview() {
  const dash = (ids) => ids.forEach((id) => set(id, '–'));
  const checked = ['grossWeightKg', 'tareWeightKg', 'moisturePercent', 'ratePerQuintal', 'quantityKg'];
  const errors = check(null).filter((e) => form.elements.namedItem(e.field)?.value !== '');
  markLive(errors, checked);
  const bad = (name) => errors.some((e) => e.field === name);
  if (spec.preview === 'purchase') {
    const std = ctx.standardMoisture;
    set('pv-std', String(std));
    const gross = num('grossWeightKg');
    const tare = num('tareWeightKg') || 0;
    const moisture = num('moisturePercent');
    const rate = num('ratePerQuintal');
    // out of bounds: no preview (a moisture of 150% would show a negative net), the field says why
    if (gross === null || ['grossWeightKg', 'tareWeightKg', 'moisturePercent'].some(bad)) {
      dash(['pv-weight', 'pv-deduction', 'pv-net', 'pv-amount']);
      return;
    }
    const weight = gross - tare;
    const deduction = moisture !== null && moisture > std ? round((weight * (moisture - std)) / (100 - std), 3) : 0;
    const net = round(weight - deduction, 3);
    set('pv-weight', fmt.kgExact(round(weight, 3)));
    set('pv-deduction', fmt.kgExact(deduction));
    set('pv-net', fmt.kgExact(net));
    set('pv-amount', rate === null || bad('ratePerQuintal') ? '–' : fmt.money(round((net / PER_QUINTAL) * rate, 2)));
  } else if (spec.preview === 'sale') {
    const qty = num('quantityKg');
    const rate = num('ratePerQuintal');
    const qtyOk = qty !== null && !bad('quantityKg');
    set('pv-net', qtyOk ? fmt.kgExact(qty) : '–');
    set('pv-amount', !qtyOk || rate === null || bad('ratePerQuintal') ? '–' : fmt.money(round((qty / PER_QUINTAL) * rate, 2)));
  }
}

if (form) {
  form.addEventListener('draft-restored', (event) => {
    const id = event.detail.__editId;
    if (id) setEditing(id, event.detail.farmerName || event.detail.buyerName);
    const keepSelects = form.querySelectorAll('select[data-source]');
    keepSelects.forEach((s) => { s.dataset.keep = event.detail[s.name] || ''; });
    applyWhen();
  });
  form.addEventListener('change', applyWhen);
  form.addEventListener('input-reset', applyWhen);
  applyWhen();
  if (cancel) cancel.addEventListener('click', endEdit);
  bindForm(form, {
    check: spec.preview ? check : undefined,
    submit: (data, opts) => {
      const id = form.dataset.editId;
      if (!id) return millApi(`/${spec.path}`, { method: 'POST', body: data, ...opts });
      const body = { ...data };
      if (editingItem && editingItem.id === id) { // what was emptied is cleared, not kept
        spec.fields.forEach((f) => {
          const was = editingItem[f.name];
          if (f.required || f.kind === 'date' || f.name in body || was === null || was === undefined || was === '') return;
          body[f.name] = f.name === 'tareWeightKg' ? 0 : null;
        });
      }
      return millApi(`/${spec.path}/${id}`, { method: 'PATCH', body, ...opts });
    },
    done: () => { if (form.dataset.editId) setEditing(null); },
  });
  if (spec.preview) {
    form.addEventListener('input', preview);
    form.addEventListener('input-reset', preview);
    preview();
  }
}
