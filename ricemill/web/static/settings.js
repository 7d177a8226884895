/* Mill settings (MILL_ADMIN): name, address, phone, time zone, standard moisture, and the minimum
   stock of each type (PATCH /mills/{id} and PATCH /mills/{id}/stock/{type}). */
import { ApiError, millApi, newIdempotencyKey } from './api.js';
import { fmt } from './format.js';
import { clearErrors, readForm, showErrors } from './forms.js';
import { onLoad } from './lifecycle.js';
import { toast } from './ui.js';

const form = document.getElementById('mill-settings-form');
const minForm = document.getElementById('minimums-form');
const minFields = document.getElementById('minimum-fields');
const typeLabel = (t) => fmt.stockType(t).replace(/^./, (c) => c.toUpperCase());

function setValue(name, value) {
  const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (el) el.value = value === null || value === undefined ? '' : value;
}

async function loadMill() {
  const mill = (await millApi('')).data;
  setValue('name', mill.name);
  setValue('phone', mill.phone);
  setValue('address', mill.address);
  setValue('settings.timezone', (mill.settings || {}).timezone);
  setValue('settings.standardMoisturePercent', (mill.settings || {}).standardMoisturePercent);
  setValue('settings.gstin', (mill.settings || {}).gstin);
  setValue('settings.state', (mill.settings || {}).state);
}

async function loadMinimums() {
  const stocks = (await millApi('/stock')).data || [];
  minFields.replaceChildren();
  stocks.forEach((s) => {
    const id = `min-${s.stockType}`;
    const field = document.createElement('div');
    field.className = 'field';
    const lab = document.createElement('label');
    lab.htmlFor = id;
    lab.textContent = `${typeLabel(s.stockType)} (kg)`;
    const input = document.createElement('input');
    Object.assign(input, { id, name: `min.${s.stockType}`, type: 'number', step: '0.001', inputMode: 'decimal' });
    input.dataset.kind = 'number';
    input.dataset.original = String(Number(s.minStockLevel));
    input.value = String(Number(s.minStockLevel));
    input.setAttribute('aria-describedby', `${id}-error`);
    const err = document.createElement('span');
    err.className = 'field-error';
    err.id = `${id}-error`;
    err.dataset.errorFor = `min.${s.stockType}`;
    field.append(lab, input, err);
    minFields.append(field);
  });
}
onLoad(loadMill);
onLoad(loadMinimums);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  const data = readForm(form);
  // an emptied optional field clears it
  if (!('name' in data)) data.name = ''; // emptied: the server says it is required
  ['address', 'phone'].forEach((k) => { if (!(k in data)) data[k] = null; });
  data.settings = data.settings || {};
  ['gstin', 'state'].forEach((k) => { if (!(k in data.settings)) data.settings[k] = null; });
  try {
    const res = await millApi('', { method: 'PATCH', body: data });
    clearErrors(form);
    toast(res.message || 'Saved', 'success');
    document.querySelectorAll('.mill-name').forEach((el) => { el.textContent = res.data.name; });
    document.body.dataset.standardMoisture = res.data.settings.standardMoisturePercent;
    document.body.dataset.timezone = res.data.settings.timezone;
  } catch (err) {
    showErrors(form, err instanceof ApiError ? err : { message: 'Could not reach the server; nothing was saved.', errors: [] });
  } finally {
    button.disabled = false;
  }
});

minForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = minForm.querySelector('button[type="submit"]');
  button.disabled = true;
  clearErrors(minForm);
  const errors = [];
  let saved = 0;
  for (const input of minForm.querySelectorAll('input[name^="min."]')) {
    if (input.value.trim() === input.dataset.original) continue;
    const type = input.name.slice(4);
    const raw = input.value.trim();
    const n = Number(raw);
    try {
      await millApi(`/stock/${type}`, { method: 'PATCH', body: { minStockLevel: raw === '' || !Number.isFinite(n) ? raw : n } });
      input.dataset.original = raw;
      saved += 1;
    } catch (err) {
      const first = (err.errors || [])[0];
      errors.push({ field: input.name, message: first ? first.message : err.message });
    }
  }
  if (errors.length) showErrors(minForm, { message: 'Some minimums were not saved.', errors });
  else toast(saved ? 'Minimum stock saved' : 'Nothing changed', saved ? 'success' : 'info');
  button.disabled = false;
});
