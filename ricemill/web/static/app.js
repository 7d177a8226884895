/* ricemill page core, shared by every page: REST calls with the cookie and the CSRF header, token
   refresh, the live socket (sync replay, duplicates dropped by seq), formatting, forms, toasts, the
   bell and the typing indicator. Plain browser code, no framework, no build step. */
(function () {
  'use strict';

  const body = document.body;
  const ctx = {
    millId: body.dataset.millId || null,
    userId: body.dataset.userId,
    userName: body.dataset.userName,
    role: body.dataset.role,
    timezone: body.dataset.timezone || 'Asia/Kolkata',
    standardMoisture: Number(body.dataset.standardMoisture || 17),
  };
  // Event names come from the server (/realtime/events.js, built from its constants module).
  const E = window.RICEMILL_EVENTS.SERVER_EVENTS;
  const C = window.RICEMILL_EVENTS.CLIENT_EVENTS;

  // --- formatting ------------------------------------------------------------------------------
  const inr = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' });
  const kgNumber = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 3 });
  const quintals = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const fmt = {
    money: (n) => (n === null || n === undefined || n === '' ? '–' : inr.format(Number(n))),
    kg: (n) => (n === null || n === undefined || n === '' ? '–'
      : `${kgNumber.format(Number(n))} kg (${quintals.format(Number(n) / 100)} q)`),
    kgParts: (n) => [`${kgNumber.format(Number(n))} kg`, `${quintals.format(Number(n) / 100)} q`],
    percent: (n) => (n === null || n === undefined ? '–' : `${Number(n).toFixed(2)}%`),
    int: (n) => (n === null || n === undefined ? '–' : String(n)),
    // A calendar date ("2026-11-26") is the mill's own day: shown without any time-zone shift.
    date: (s) => {
      if (!s) return '–';
      const [y, m, d] = String(s).slice(0, 10).split('-').map(Number);
      return new Date(y, m - 1, d).toLocaleDateString('en-IN', { day: '2-digit', month: 'short', year: 'numeric' });
    },
    datetime: (s) => (s ? new Date(s).toLocaleString('en-IN', {
      timeZone: ctx.timezone, day: '2-digit', month: 'short', hour: 'numeric', minute: '2-digit',
    }) : '–'),
    time: (s) => (s ? new Date(s).toLocaleTimeString('en-IN', { timeZone: ctx.timezone, timeStyle: 'short' }) : ''),
    status: (s) => (s ? String(s).replace(/_/g, ' ').toLowerCase() : '–'),
    text: (s) => (s === null || s === undefined || s === '' ? '–' : String(s)),
  };
  function today() {
    return new Intl.DateTimeFormat('en-CA', { timeZone: ctx.timezone }).format(new Date());
  }

  // --- REST --------------------------------------------------------------------------------------
  function cookie(name) {
    const hit = document.cookie.split('; ').find((c) => c.startsWith(name + '='));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : '';
  }

  class ApiError extends Error {
    constructor(status, payload) {
      super(payload.message || `HTTP ${status}`);
      this.status = status;
      this.errors = payload.errors || [];
    }
  }

  async function api(path, opts = {}) {
    const method = opts.method || 'GET';
    const headers = { Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-CSRF-TOKEN'] = cookie('csrf_access_token');
    const res = await fetch('/api/v1' + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    if (res.status === 401 && !opts.retried) {
      if (await refresh()) return api(path, { ...opts, retried: true });
      location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
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
  const millApi = (path, opts) => api(`/mills/${ctx.millId}${path}`, opts);

  // --- token refresh: the access cookie lives 15 minutes; renew it a minute before -------------
  // Times are this browser's own (Date.now() + seconds left), so a skewed clock does not matter.
  let refreshing = null;
  let refreshTimer = null;
  function refresh() {
    if (!refreshing) {
      refreshing = fetch('/web/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRF-TOKEN': cookie('csrf_refresh_token') },
      })
        .then(async (res) => {
          if (res.status === 401) live.sessionOver = true; // refresh token spent or revoked: log in again
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
  function scheduleRefresh(expiresAt) {
    if (!expiresAt) return;
    clearTimeout(refreshTimer);
    // jitter, so that two tabs sharing the cookies rarely rotate at the same moment
    const wait = Math.max(5000, expiresAt - Date.now() - 60000 - Math.random() * 20000);
    refreshTimer = setTimeout(() => {
      // another tab may have rotated the shared cookies already: then follow its expiry
      let seen = 0;
      try { seen = Number(localStorage.getItem('rm.accessExpiresAt') || 0); } catch (_) { /* none */ }
      if (seen > expiresAt + 30000) scheduleRefresh(seen);
      else refresh();
    }, wait);
  }

  // --- toasts, bell -------------------------------------------------------------------------------
  function toast(message, type = 'info', title = '') {
    const box = document.getElementById('toasts');
    const el = document.createElement('div');
    el.className = `toast toast-${type}`;
    el.setAttribute('role', type === 'error' ? 'alert' : 'status');
    if (title) {
      const strong = document.createElement('strong');
      strong.textContent = title;
      el.append(strong, ' ');
    }
    el.append(message);
    box.append(el);
    setTimeout(() => el.remove(), 6000);
  }
  function setBell(count) {
    const badge = document.getElementById('bell-count');
    if (!badge) return;
    badge.dataset.count = String(count);
    badge.textContent = count > 99 ? '99+' : String(count);
    badge.hidden = count <= 0;
    document.getElementById('bell').setAttribute('aria-label', `Notifications, ${count} unread`);
  }
  async function loadBell() {
    try {
      const res = await api('/notifications?unread=true&perPage=1');
      const meta = res.meta || {};
      setBell(meta.unreadCount ?? meta.unread ?? meta.total ?? 0);
    } catch (_) { /* the bell is a nicety; the page works without it */ }
  }

  // --- live: one socket per page -------------------------------------------------------------------
  const live = { socket: null, lastSeq: 0, seen: new Set(), handlers: {}, typers: new Map() };

  function on(name, fn) {
    (live.handlers[name] = live.handlers[name] || []).push(fn);
  }
  function fire(name, payload) {
    (live.handlers[name] || []).forEach((fn) => fn(payload, name));
  }

  // A mill event carries {millId, seq}; replay and at-least-once delivery can repeat one: the pair
  // (name, seq) is handled once. lastSeq is what `sync` asks the server to replay after.
  function dispatch(name, payload) {
    if (payload && typeof payload === 'object' && typeof payload.seq === 'number' && payload.millId) {
      if (ctx.millId && String(payload.millId) !== String(ctx.millId)) return;
      const key = `${name}#${payload.seq}`;
      if (live.seen.has(key) || payload.seq <= live.baseSeq) return;
      live.seen.add(key);
      if (live.seen.size > 2000) live.seen.delete(live.seen.values().next().value);
      live.lastSeq = Math.max(live.lastSeq, payload.seq);
    }
    fire(name, payload);
    fire('*', { name, payload });
  }

  function setConn(state, label) {
    const el = document.getElementById('conn');
    if (!el) return;
    el.dataset.state = state;
    el.className = `conn conn-${state}`;
    el.textContent = label;
  }

  function emit(name, payload) {
    if (live.socket && live.socket.connected) live.socket.emit(name, payload);
  }

  function connect() {
    // Same origin: the browser sends the httpOnly access cookie with the handshake.
    const socket = io({ transports: ['websocket', 'polling'], withCredentials: true });
    live.socket = socket;
    let retry = 1000;
    socket.on('connect', () => {
      retry = 1000;
      setConn('live', 'Live');
      if (ctx.millId) {
        socket.emit(C.JOIN_MILL, ctx.millId);
        socket.emit(C.SYNC, { millId: ctx.millId, lastSeq: live.lastSeq });
      }
      fire('connect', {});
    });
    socket.on('disconnect', (reason) => {
      setConn('offline', 'Offline, reconnecting…');
      // the server closed it (token expired, logout elsewhere): renew the cookie, then come back
      if (reason === 'io server disconnect') reconnectAfterRefresh();
    });
    socket.on('connect_error', () => {
      setConn('offline', 'Offline, reconnecting…');
      if (!socket.active) reconnectAfterRefresh();
    });
    function reconnectAfterRefresh() {
      setTimeout(async () => {
        await refresh();
        if (live.sessionOver) {
          location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
          return;
        }
        if (!socket.connected && !live.paused) socket.connect();
      }, retry);
      retry = Math.min(retry * 2, 30000);
    }
    socket.onAny((name, payload) => dispatch(name, payload));
    socket.on(E.SYNC_DONE, (p) => { if (p && typeof p.seq === 'number') live.lastSeq = Math.max(live.lastSeq, p.seq); });
    socket.on(E.SYNC_RESET, (p) => {
      // too far behind to replay: reload everything over REST
      if (p && typeof p.seq === 'number') live.lastSeq = p.seq;
      reloadAll();
    });
    socket.on(E.ERROR, (p) => console.warn('socket error', p && p.message));
  }

  // --- typing indicator ------------------------------------------------------------------------------
  function renderTypers() {
    const el = document.getElementById('typing');
    if (!el) return;
    const parts = [...live.typers.values()].map((t) => `${t.name} is ${t.action || 'creating'} a ${t.entity}…`);
    el.textContent = parts.join(' · ');
  }
  function watchTyping() {
    on(E.ACTIVITY_TYPING, (p) => {
      if (!p || !p.user || String(p.user.id) === String(ctx.userId)) return;
      const old = live.typers.get(p.user.id);
      if (old) clearTimeout(old.timer);
      const timer = setTimeout(() => { live.typers.delete(p.user.id); renderTypers(); }, 8000);
      live.typers.set(p.user.id, { name: p.user.name, entity: p.entity, action: p.action, timer });
      renderTypers();
    });
    on(E.ACTIVITY_STOP_TYPING, (p) => {
      if (!p || !p.user) return;
      const old = live.typers.get(p.user.id);
      if (old) clearTimeout(old.timer);
      live.typers.delete(p.user.id);
      renderTypers();
    });
  }

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
      timer = setTimeout(stop, 4000);
    });
    form.addEventListener('submit', stop);
    form.addEventListener('reset', stop);
  }

  // --- forms: read fields, show the server's 422 field errors -------------------------------------
  function setPath(obj, path, value) {
    const keys = path.split('.');
    let node = obj;
    keys.slice(0, -1).forEach((k) => { node = node[k] = node[k] || {}; });
    node[keys[keys.length - 1]] = value;
  }
  function readForm(form) {
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
  function clearErrors(form) {
    form.querySelectorAll('[data-error-for]').forEach((el) => { el.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  }
  function showErrors(form, err) {
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
    const top = form.querySelector('[data-error-for="_form"]');
    if (top) top.textContent = [err.message, ...loose].filter(Boolean).join(' · ');
    (first || top)?.focus?.();
  }
  function prefill(form) {
    form.querySelectorAll('[data-today]').forEach((el) => { if (!el.value) el.value = today(); });
  }
  function bindForm(form, { submit, done }) {
    if (!form) return;
    typingFor(form);
    prefill(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button[type="submit"]');
      clearErrors(form);
      if (button) button.disabled = true;
      try {
        const res = await submit(readForm(form));
        form.reset();
        prefill(form);
        form.dispatchEvent(new Event('input-reset'));
        if (done) done(res);
        toast(res.message || 'Saved', 'success');
      } catch (err) {
        if (err instanceof ApiError) showErrors(form, err);
        else {
          showErrors(form, { message: 'Could not reach the server; nothing was saved.', errors: [] });
          console.error(err);
        }
      } finally {
        if (button) button.disabled = false;
      }
    });
  }

  // --- tables ----------------------------------------------------------------------------------------
  // columns: [{key, label, fmt}] ; extra(row, tr) may append cells (actions).
  function renderRows(tbody, items, columns, extra) {
    tbody.replaceChildren();
    if (!items.length) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = columns.length + (extra ? 1 : 0);
      td.className = 'empty';
      td.textContent = 'Nothing yet.';
      tr.append(td);
      tbody.append(tr);
      return;
    }
    items.forEach((item) => {
      const tr = document.createElement('tr');
      if (item.id) tr.dataset.id = item.id;
      columns.forEach((c) => {
        const td = document.createElement('td');
        td.dataset.label = c.label;
        const value = item[c.key];
        if (c.fmt === 'kg' && value !== null && value !== undefined) {
          // kilograms, quintals on a second, smaller line: keeps tables narrow on a phone
          const [kg, q] = fmt.kgParts(value);
          const small = document.createElement('small');
          small.textContent = q;
          td.append(kg, document.createElement('br'), small);
        } else {
          td.textContent = (fmt[c.fmt] || fmt.text)(value);
        }
        if (['money', 'kg', 'int', 'percent'].includes(c.fmt)) td.className = 'num';
        tr.append(td);
      });
      if (extra) {
        const td = document.createElement('td');
        extra(item, td);
        tr.append(td);
      }
      tbody.append(tr);
    });
  }
  function button(label, onClick, cls = '') {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    if (cls) b.className = cls;
    b.addEventListener('click', onClick);
    return b;
  }

  // --- page life cycle ----------------------------------------------------------------------------
  const loaders = [];
  function onLoad(fn) { loaders.push(fn); }
  async function reloadAll() {
    await Promise.all(loaders.map((fn) => Promise.resolve().then(fn).catch((e) => console.error(e))));
  }
  // Reload a list at most once per 250 ms however many events arrive together.
  function debounce(fn, ms = 250) {
    let t = null;
    return () => { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  async function highestSeq() {
    try {
      const res = await millApi('/activity?limit=1');
      const items = Array.isArray(res.data) ? res.data : (res.data && res.data.items) || [];
      return items.reduce((max, it) => Math.max(max, Number(it.seq) || 0), 0);
    } catch (_) {
      return 0;
    }
  }

  async function start() {
    const left = Number(body.dataset.accessExpiresIn || 0);
    if (left) scheduleRefresh(Date.now() + left * 1000);
    document.getElementById('logout')?.addEventListener('click', async () => {
      await fetch('/web/refresh/logout', {
        method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-TOKEN': cookie('csrf_access_token') },
      }).catch(() => null);
      location.href = '/login';
    });
    watchTyping();
    on(E.NOTIFICATION, (n) => {
      if (!n) return;
      toast(n.message || '', n.type || 'info', n.title || '');
      const badge = document.getElementById('bell-count');
      setBell(Number(badge ? badge.dataset.count : 0) + 1);
    });
    // Events up to this seq are already in what REST returns now; later ones are replayed by sync.
    if (ctx.millId) live.lastSeq = await highestSeq();
    live.baseSeq = live.lastSeq;
    await reloadAll();
    connect();
    loadBell();
    body.dataset.ready = '1';
  }

  window.RM = {
    ctx, E, C, fmt, today, api, millApi, ApiError, on, emit, toast, setBell, loadBell,
    bindForm, readForm, showErrors, renderRows, button, onLoad, reloadAll, debounce, live,
    // for a person (or a test) to cut and restore the live connection
    pause() { live.paused = true; live.socket && live.socket.disconnect(); },
    resume() { live.paused = false; live.socket && live.socket.connect(); },
  };
  document.addEventListener('DOMContentLoaded', start);
})();
