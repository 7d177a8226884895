/* Who and where the page is (data-* of <body>) and the mill's constants.

Constants come from the server's JSON blob `<script id="rm-meta" type="application/json">` (one source
with the API's validation) when the page has it; the values below are only the fallback. */

const body = document.body;

function readMeta() {
  const el = document.getElementById('rm-meta');
  if (!el) return {};
  try {
    return JSON.parse(el.textContent) || {};
  } catch (_) {
    return {};
  }
}
const meta = readMeta();

function first(...values) {
  return values.find((v) => v !== undefined && v !== null);
}
/** A code nobody labelled, in words (as the server's words.label): `HALF_DAY` → "Half day". */
export function words(code) {
  const text = String(code).replace(/_/g, ' ').toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}
// a list of codes, or of {value|code, label}: always [{value, label}]
function options(list, fallback) {
  if (!Array.isArray(list) || !list.length) return fallback;
  return list.map((o) => (typeof o === 'object'
    ? { value: first(o.value, o.code, o.name), label: first(o.label, o.name, o.value, o.code) }
    : { value: o, label: words(o) }));
}
const codes = (pairs) => pairs.map((o) => o.value);
const pairs = (list) => list.map((value) => ({ value, label: words(value) }));

// Every {value, label} list of the meta (stock types, payment modes, directions and statuses,
// attendance, batch and staff statuses, roles): the one place the pages read a code's label from.
const LABELS = new Map();
Object.values(meta).forEach((list) => {
  if (!Array.isArray(list)) return;
  list.forEach((o) => { if (o && typeof o === 'object' && o.value && o.label) LABELS.set(o.value, o.label); });
});
/** How a person reads a code: its label from the meta ("UPI", "Bank transfer", "In progress"). */
export function label(code) {
  if (code === null || code === undefined || code === '') return '';
  return LABELS.get(code) || words(code);
}

const defaults = meta.defaults || meta.millDefaults || {};
export const constants = Object.freeze({
  standardMoisturePercent: Number(first(meta.standardMoisturePercent, defaults.standardMoisturePercent, 17)),
  kgPerQuintal: Number(first(meta.kgPerQuintal, meta.units && meta.units.kgPerQuintal, 100)),
  exactBelowKg: Number(first(meta.units && meta.units.exactBelowKg, 100)),
  stockTypes: options(meta.stockTypes, pairs(['PADDY', 'RICE', 'BROKEN_RICE', 'BRAN', 'HUSK'])),
  millingOutputs: codes(options(meta.millingOutputs, pairs(['RICE', 'BROKEN_RICE', 'BRAN', 'HUSK']))),
  // the API's upper bounds (GET /api/v1/meta `limits` and `moisture`), for checks before sending
  limits: Object.freeze({
    maxMoisturePercent: Number(first(meta.moisture && meta.moisture.maxMoisturePercent, 40)),
    maxLotKg: Number(first(meta.limits && meta.limits.maxLotKg, 1000000)),
    maxRatePerQuintal: Number(first(meta.limits && meta.limits.maxRatePerQuintal, 1000000)),
    maxBags: Number(first(meta.limits && meta.limits.maxBags, 100000)),
  }),
  attendanceStatuses: codes(options(meta.attendanceStatuses, pairs(['PRESENT', 'HALF_DAY', 'ABSENT', 'LEAVE']))),
  raw: meta,
});

export const ctx = Object.freeze({
  millId: body.dataset.millId || null,
  userId: body.dataset.userId,
  userName: body.dataset.userName,
  role: body.dataset.role,
  timezone: body.dataset.timezone || 'Asia/Kolkata',
  // the mill's own setting (data-standard-moisture) wins over the platform default
  standardMoisture: Number(body.dataset.standardMoisture || constants.standardMoisturePercent),
});

// Event names come from the server (/realtime/events.js, built from its constants module).
export const E = window.RICEMILL_EVENTS.SERVER_EVENTS;
export const C = window.RICEMILL_EVENTS.CLIENT_EVENTS;
