/* The page's live connection: one Socket.IO socket, the client delivery contract (seq.js), the
   handlers pages register with on(name, fn), and the typing indicator.

Which events count for the mill's seq: the mill's domain events (stored, replayable). Derived and
control events that also carry {millId, seq} (activity:new, dashboard:stats, sync:done, sync:reset,
mill:position) never do; activity:new is only deduplicated by (name, seq). When the server serves
the list of mill events (RICEMILL_EVENTS.MILL_EVENTS), that list is used instead. */
import { refresh, session, toLogin } from './api.js';
import { reloadAll } from './lifecycle.js';
import { C, E, ctx } from './meta.js';
import { SeqTracker } from './seq.js';

const POSITION = E.MILL_POSITION || 'mill:position';
const CONTROL = new Set([E.ACTIVITY_NEW, E.DASHBOARD_STATS, E.SYNC_DONE, E.SYNC_RESET, POSITION]);
const served = window.RICEMILL_EVENTS.MILL_EVENTS;
const MILL_EVENTS = Array.isArray(served) ? new Set(served) : null;
const countsForSeq = (name) => (MILL_EVENTS ? MILL_EVENTS.has(name) : !CONTROL.has(name));

export const GAP_MS = 1000;
const tracker = new SeqTracker({ gapMs: GAP_MS });
const handlers = {};
const seen = new Set(); // (name#seq) of events that share a mill event's seq (activity:new)
let socket = null;
let paused = false;
let gapTimer = null;

export function on(name, fn) {
  (handlers[name] = handlers[name] || []).push(fn);
}

function fire(name, payload) {
  (handlers[name] || []).forEach((fn) => fn(payload, name));
}

export function emit(name, payload) {
  if (socket && socket.connected) socket.emit(name, payload);
}

/** The seq REST data covers at start (the page loads it, then replays what came after). */
export function startAt(seq) {
  tracker.reset(seq, Date.now());
}

function sendSync() {
  if (!ctx.millId || !socket || !socket.connected) return;
  socket.emit(C.SYNC, { millId: ctx.millId, lastSeq: tracker.lastSeq });
  tracker.syncSent(Date.now());
}

// Send a sync when one is due, and look again when the next one may be.
function pump() {
  const now = Date.now();
  if (tracker.syncDue(now)) sendSync();
  clearTimeout(gapTimer);
  const next = tracker.nextCheckIn(Date.now());
  gapTimer = next === null ? null : setTimeout(pump, Math.max(next, 50));
}

function ofThisMill(payload) {
  return !ctx.millId || String(payload.millId) === String(ctx.millId);
}

function dispatch(name, payload) {
  const seqd = payload && typeof payload === 'object' && Number.isInteger(payload.seq) && payload.millId;
  if (seqd) {
    if (!ofThisMill(payload)) return;
    const now = Date.now();
    if (name === E.SYNC_DONE) {
      tracker.syncDone(payload.seq, now);
      pump();
    } else if (name === E.SYNC_RESET) {
      // too far behind to replay: reload everything over REST
      tracker.reset(payload.seq, now);
      reloadAll();
    } else if (name === POSITION) {
      tracker.position(payload.seq, now);
      pump(); // now, or once the sync in flight has had its time
      return; // bookkeeping only
    } else if (countsForSeq(name)) {
      if (!tracker.offer(payload.seq, now)) return; // a duplicate (replay, at-least-once delivery)
      pump();
    } else {
      const key = `${name}#${payload.seq}`;
      if (seen.has(key) || payload.seq <= tracker.baseSeq) return;
      seen.add(key);
      if (seen.size > 2000) seen.delete(seen.values().next().value);
    }
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

export function connect() {
  // Same origin: the browser sends the httpOnly access cookie with the handshake.
  socket = io({ transports: ['websocket', 'polling'], withCredentials: true });
  let retry = 1000;
  socket.on('connect', () => {
    retry = 1000;
    setConn('live', 'Live');
    if (ctx.millId) {
      socket.emit(C.JOIN_MILL, ctx.millId);
      sendSync(); // a fresh connection always asks for what it missed
    }
    fire('connect', {});
  });
  socket.on('disconnect', (reason) => {
    tracker.syncLost();
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
      if (session.over) {
        toLogin();
        return;
      }
      if (!socket.connected && !paused) socket.connect();
    }, retry);
    retry = Math.min(retry * 2, 30000);
  }
  socket.onAny((name, payload) => dispatch(name, payload));
  socket.on(E.ERROR, (p) => console.warn('socket error', p && p.message));
}

/** Cut and restore the live connection (a person, or a test). */
export function pause() {
  paused = true;
  if (socket) socket.disconnect();
}
export function resume() {
  paused = false;
  if (socket) socket.connect();
}

/** The contract's state, for tests: window.RM.live (see docs/realtime-client.md). */
export const state = {
  get lastSeq() { return tracker.lastSeq; },
  set lastSeq(seq) { tracker.reset(Number(seq), Date.now()); }, // a test pretends the page is elsewhere
  get baseSeq() { return tracker.baseSeq; },
  get appliedSeqs() { return tracker.appliedSeqs; },
  get gap() { return [...tracker.above].sort((a, b) => a - b); },
  get connected() { return Boolean(socket && socket.connected); },
};

// --- typing indicator ------------------------------------------------------------------------------
const typers = new Map();
function renderTypers() {
  const el = document.getElementById('typing');
  if (!el) return;
  const parts = [...typers.values()].map((t) => `${t.name} is ${t.action || 'creating'} a ${t.entity}…`);
  el.textContent = parts.join(' · ');
}
export function watchTyping() {
  on(E.ACTIVITY_TYPING, (p) => {
    if (!p || !p.user || String(p.user.id) === String(ctx.userId)) return;
    const old = typers.get(p.user.id);
    if (old) clearTimeout(old.timer);
    const timer = setTimeout(() => { typers.delete(p.user.id); renderTypers(); }, 8000);
    typers.set(p.user.id, { name: p.user.name, entity: p.entity, action: p.action, timer });
    renderTypers();
  });
  on(E.ACTIVITY_STOP_TYPING, (p) => {
    if (!p || !p.user) return;
    const old = typers.get(p.user.id);
    if (old) clearTimeout(old.timer);
    typers.delete(p.user.id);
    renderTypers();
  });
}
