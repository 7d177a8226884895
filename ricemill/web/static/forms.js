/* Forms: read the fields, submit once, show the server's 422 field errors, the typing indicator.

bindForm(form, {submit, done}): submit(data, {idempotencyKey}) must pass the key on to api() (spread
it into the options). One key per submission; api() retries a network error or a 503 with it. When a
submission still ends without an answer, the key is kept: submitting the same data again reuses it,
so a write that did reach the server is not made twice. */
import { ApiError, draftKey, newIdempotencyKey } from './api.js';
import { today } from './format.js';
import { emit } from './live.js';
import { C, ctx } from './meta.js';
import { toast } from './ui.js';

function setPath(obj, path, value) {
  const keys = path.split('.');
  let node = obj;
  keys.slice(0, -1).forEach((k) => { node = node[k] = node[k] || {}; });
  node[keys[keys.length - 1]] = value;
}

export function readForm(form) {
  const data = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === 'hidden' || el.type === 'submit') continue;
    const raw = el.value.trim();
    if (raw === '') continue; // left empty: optional fields are omitted, required ones get the server's 422
    let value = raw;
    if (el.dataset.kind === 'number' || el.dataset.kind === 'int') {
      const n = Number(raw);
      value = Number.isFinite(n) ? n : raw; // not a number: let the server say so
    }
    setPath(data, el.name, value);
  }
  return data;
}

export function clearErrors(form) {
  form.querySelectorAll('[data-error-for]').forEach((el) => { el.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

export function showErrors(form, err) {
  clearErrors(form);
  const loose = [];
  let first = null;
  (err.errors || []).forEach(({ field, message }) => {
    const slot = field && field !== '_form' ? form.querySelector(`.field-error[data-error-for="${CSS.escape(field)}"]`) : null;
    if (slot) {
      slot.textContent = message;
      const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        first = first || input;
      }
    } else {
      loose.push(field && field !== '_schema' ? `${field}: ${message}` : message);
    }
  });
  // An error of no field on the form is said by the top message. A refusal (409 "Not enough Rice in
  // stock: …") already says it in its message, its errors are machine detail: shown once, not twice.
  // Only a 422's generic "Validation failed" needs its loose errors after it.
  const said = err.status && err.status !== 422;
  const top = form.querySelector('[data-error-for="_form"]');
  if (top) top.textContent = [err.message, ...(said ? [] : loose)].filter(Boolean).join(' · ');
  (first || top)?.focus?.();
}

function prefill(form) {
  form.querySelectorAll('[data-today]').forEach((el) => { if (!el.value) el.value = today(); });
}

// Typing stops being said after this long without a keystroke; a page (or a test) may set its own
// with <body data-typing-idle-ms="…">, read at each keystroke.
export const TYPING_IDLE_MS = 4000;
const typingIdleMs = () => Number(document.body.dataset.typingIdleMs) || TYPING_IDLE_MS;

function typingFor(form) {
  const entity = form.dataset.entity;
  if (!entity) return;
  let active = false;
  let last = 0;
  let timer = null;
  const stop = () => {
    clearTimeout(timer);
    if (active) emit(C.ACTIVITY_STOP_TYPING, { millId: ctx.millId });
    active = false;
  };
  form.addEventListener('input', () => {
    if (!ctx.millId) return;
    const now = Date.now();
    if (!active || now - last > 3000) {
      emit(C.ACTIVITY_TYPING, { millId: ctx.millId, entity, action: 'creating' });
      active = true;
      last = now;
    }
    clearTimeout(timer);
    timer = setTimeout(stop, typingIdleMs());
  });
  form.addEventListener('submit', stop);
  form.addEventListener('reset', stop);
}

/** A field's error goes as soon as the field is changed (the server or check() may set it again). */
function clearFieldErrors(form) {
  const clear = (event) => {
    const el = event.target;
    if (!el.name) return;
    form.dataset.dirty = '1';
    el.removeAttribute('aria-invalid');
    const slot = form.querySelector(`.field-error[data-error-for="${CSS.escape(el.name)}"]`);
    if (slot) slot.textContent = '';
  };
  form.addEventListener('input', clear);
  form.addEventListener('change', clear);
}

/** The draft kept when the session ended (api.js saveDrafts), put back once; 'draft-restored' says so. */
function restoreDraft(form) {
  if (!form.dataset.draft || !form.id) return;
  let values = null;
  try {
    values = JSON.parse(sessionStorage.getItem(draftKey(form)) || 'null');
    sessionStorage.removeItem(draftKey(form));
  } catch (_) {
    return;
  }
  if (!values) return;
  Object.entries(values).forEach(([name, value]) => {
    const el = form.elements.namedItem(name);
    if (el && 'value' in el) el.value = value;
  });
  form.dataset.dirty = '1';
  form.dispatchEvent(new CustomEvent('draft-restored', { detail: values }));
  form.dispatchEvent(new Event('input'));
  toast('What you had typed is back. Check it and save.', 'info', 'Draft restored');
}

/** bindForm(form, {submit, done, check}): check(data), when given, returns field errors
    ([{field, message}]) found before sending; any stops the submission. */
export function bindForm(form, { submit, done, check }) {
  if (!form) return;
  typingFor(form);
  prefill(form);
  clearFieldErrors(form);
  restoreDraft(form);
  let busy = false; // a second submit (Enter pressed twice) while one is on its way is ignored
  let unanswered = null; // {key, body} of a submission that got no answer
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    const button = form.querySelector('button[type="submit"]');
    clearErrors(form);
    if (button) button.disabled = true;
    const data = readForm(form);
    const problems = check ? check(data) : [];
    if (problems.length) {
      showErrors(form, { message: 'Please correct the marked fields.', errors: problems });
      busy = false;
      if (button) button.disabled = false;
      return;
    }
    const body = JSON.stringify(data);
    const idempotencyKey = unanswered && unanswered.body === body ? unanswered.key : newIdempotencyKey();
    form.dataset.idempotencyKey = idempotencyKey; // for tests
    try {
      const res = await submit(data, { idempotencyKey });
      unanswered = null;
      form.reset();
      delete form.dataset.dirty;
      prefill(form);
      if (done) done(res);
      form.dispatchEvent(new Event('input-reset'));
      toast(res.message || 'Saved', 'success');
    } catch (err) {
      if (err instanceof ApiError && err.status !== 503) {
        unanswered = null;
        showErrors(form, err);
      } else {
        unanswered = { key: idempotencyKey, body };
        showErrors(form, {
          message: 'No answer from the server. Submit again: it will not be saved twice.',
          errors: [],
        });
        if (!(err instanceof ApiError)) console.error(err);
      }
    } finally {
      busy = false;
      if (button) button.disabled = false;
    }
  });
}
