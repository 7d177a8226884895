/* REST calls: the session cookie, the CSRF header, token refresh, the error envelope, and retry-safe
   writes. Every POST/PATCH/DELETE carries an `Idempotency-Key`; a call that meets a network error or
   a 503 is sent again with the SAME key, so the server applies it at most once. */

function cookie(name) {
  const hit = document.cookie.split('; ').find((c) => c.startsWith(name + '='));
  return hit ? decodeURIComponent(hit.slice(name.length + 1)) : '';
}

export class ApiError extends Error {
  constructor(status, payload) {
    super(payload.message || `HTTP ${status}`);
    this.status = status;
    this.errors = payload.errors || [];
  }
}

/** A fresh random key (RFC 4122 v4). crypto.randomUUID needs a secure context; a mill's LAN over
    plain http is not one, so fall back to getRandomValues, which every context has. */
export function newIdempotencyKey() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
  const b = window.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const session = { over: false }; // the refresh token is spent or revoked: log in again

/** The sessionStorage key of a form's draft on this page (forms.js restores it after the login). */
export function draftKey(form) {
  return `rm.draft:${location.pathname}${location.search}#${form.id}`;
}

/** Keep what was typed in the page's changed forms (data-draft) for after the login. */
export function saveDrafts() {
  document.querySelectorAll('form[data-draft][data-dirty]').forEach((form) => {
    const values = {};
    for (const el of form.elements) {
      if (el.name && !el.disabled && el.type !== 'hidden' && el.value !== '') values[el.name] = el.value;
    }
    if (form.dataset.editId) values.__editId = form.dataset.editId;
    try {
      sessionStorage.setItem(draftKey(form), JSON.stringify(values));
    } catch (_) { /* storage full or off: nothing to keep it in */ }
  });
}

let leaving = false;
/** The session is over: keep the drafts, and say so on the login page. */
export function toLogin() {
  if (leaving) return;
  leaving = true;
  saveDrafts();
  location.href = '/login?ended=1&next=' + encodeURIComponent(location.pathname + location.search);
}

// Waits before each retry of a call that met a network error or a 503 (then the caller is told).
export const RETRY_DELAYS_MS = [500, 1000, 2000];
const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** api(path, {method, body, idempotencyKey}) → the envelope; throws ApiError (or a TypeError when
    the server could not be reached at all). */
export async function api(path, opts = {}) {
  const method = opts.method || 'GET';
  const headers = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    headers['X-CSRF-TOKEN'] = cookie('csrf_access_token');
    // one key per call (or the caller's, kept across its own retries)
    headers['Idempotency-Key'] = opts.idempotencyKey || newIdempotencyKey();
  }
  const send = () => fetch('/api/v1' + path, {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  let res;
  for (let attempt = 0; ; attempt += 1) {
    try {
      res = await send();
      if (res.status !== 503 || attempt >= RETRY_DELAYS_MS.length) break;
    } catch (err) {
      if (attempt >= RETRY_DELAYS_MS.length) throw err;
    }
    await wait(RETRY_DELAYS_MS[attempt]);
  }
  if (res.status === 401 && !opts.retried) {
    if (await refresh()) {
      return api(path, { ...opts, retried: true, idempotencyKey: headers['Idempotency-Key'] });
    }
    toLogin();
  }
  let payload;
  try {
    payload = await res.json();
  } catch (_) {
    payload = { success: false, statusCode: res.status, message: res.statusText, errors: [] };
  }
  if (!res.ok || payload.success === false) throw new ApiError(res.status, payload);
  return payload;
}

export const millApi = (path, opts) => api(`/mills/${document.body.dataset.millId}${path}`, opts);

// --- token refresh: the access cookie lives 15 minutes; renew it a minute before -------------
// Times are this browser's own (Date.now() + seconds left), so a skewed clock does not matter.
let refreshing = null;
let refreshTimer = null;
export function refresh() {
  if (!refreshing) {
    refreshing = fetch('/web/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRF-TOKEN': cookie('csrf_refresh_token') },
    })
      .then(async (res) => {
        if (res.status === 401) session.over = true;
        if (!res.ok) return false;
        const expiresAt = Date.now() + (await res.json()).data.accessExpiresIn * 1000;
        try {
          localStorage.setItem('rm.accessExpiresAt', String(expiresAt));
        } catch (_) { /* private mode: each tab refreshes on its own */ }
        scheduleRefresh(expiresAt);
        return true;
      })
      .catch(() => false)
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

export function scheduleRefresh(expiresAt) {
  if (!expiresAt) return;
  clearTimeout(refreshTimer);
  // jitter, so that two tabs sharing the cookies rarely rotate at the same moment
  const delay = Math.max(5000, expiresAt - Date.now() - 60000 - Math.random() * 20000);
  refreshTimer = setTimeout(() => {
    // another tab may have rotated the shared cookies already: then follow its expiry
    let seen = 0;
    try { seen = Number(localStorage.getItem('rm.accessExpiresAt') || 0); } catch (_) { /* none */ }
    if (seen > expiresAt + 30000) scheduleRefresh(seen);
    else refresh();
  }, delay);
}

export function logout() {
  return fetch('/web/refresh/logout', {
    method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-TOKEN': cookie('csrf_access_token') },
  }).catch(() => null);
}
