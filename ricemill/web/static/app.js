/* ricemill page core, loaded by every logged-in page (<script type="module">): starts the page.

The concerns live in their own modules, which page scripts import directly:
  api.js       REST calls, CSRF, token refresh, the error envelope, Idempotency-Key and retries
  live.js      the socket, the delivery contract (seq.js), on(name, fn), emit, typing indicator
  seq.js       the delivery contract's sequencing, pure (unit-tested under node --test)
  forms.js     bindForm: submit once, field errors, one idempotency key per submission
  format.js    money in Indian grouping, kg and quintals, the mill's dates and times
  meta.js      ctx (user, mill, time zone), constants (from #rm-meta), event names E and C
  ui.js        toasts, the bell, tables, buttons
  lifecycle.js onLoad(fn), reloadAll, debounce
window.RM holds only what the browser tests drive: RM.live (the contract's state), pause(), resume(). */
import { api, logout, scheduleRefresh } from './api.js';
import { reloadAll } from './lifecycle.js';
import { connect, on, pause, resume, startAt, state, watchTyping } from './live.js';
import { E, ctx } from './meta.js';
import { bellCount, loadBell, setBell, toast } from './ui.js';

// The highest seq the mill's REST data covers now: events after it are replayed by sync.
async function highestSeq() {
  try {
    const res = await api(`/mills/${ctx.millId}/activity?limit=1`);
    return res.data.length ? res.data[0].seq : 0; // newest first
  } catch (_) {
    return 0;
  }
}

async function start() {
  const body = document.body;
  const left = Number(body.dataset.accessExpiresIn || 0);
  if (left) scheduleRefresh(Date.now() + left * 1000);
  document.getElementById('logout')?.addEventListener('click', async () => {
    await logout();
    location.href = '/login';
  });
  watchTyping();
  on(E.NOTIFICATION, (n) => {
    if (!n) return;
    setBell(bellCount() + 1);
    // the author saw its own form's answer: no toast for its own write
    if (n.data && n.data.actorId && n.data.actorId === ctx.userId) return;
    toast(n.message || '', n.type || 'info', n.title || '');
  });
  // the phone's nav menu (below 600 px the links fold behind one button)
  const menu = document.getElementById('nav-toggle');
  menu?.addEventListener('click', () => {
    const open = menu.getAttribute('aria-expanded') !== 'true';
    menu.setAttribute('aria-expanded', String(open));
    document.getElementById('main-nav').classList.toggle('open', open);
  });
  if (ctx.millId) startAt(await highestSeq());
  await reloadAll();
  connect();
  loadBell();
  body.dataset.ready = '1';
}

window.RM = { live: state, pause, resume };
// Module scripts run before DOMContentLoaded, so every page script has registered its loaders by then.
document.addEventListener('DOMContentLoaded', start);
