/* Notifications: newest first, mark one or all read; new ones arrive live. */
import { api } from './api.js';
import { fmt } from './format.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E } from './meta.js';
import { button, loadBell, setBell } from './ui.js';

const list = document.getElementById('notif-list');

// Where a notification's document is shown (its list, focused on it), keeping a SUPER_ADMIN's mill.
const LINKS = [
  ['purchaseId', (id) => `/documents/purchases?id=${id}`],
  ['saleId', (id) => `/documents/sales?id=${id}`],
  ['paymentId', (id) => `/documents/payments?id=${id}`],
  ['staffId', (id) => `/documents/staff?id=${id}`],
  ['batchId', () => '/milling'],
  ['stocks', () => '/stock'],
];
export function notificationLink(data) {
  const hit = LINKS.find(([key]) => data && data[key]);
  if (!hit) return null;
  const url = new URL(hit[1](data[hit[0]]), location.origin);
  const mill = new URLSearchParams(location.search).get('mill');
  if (mill) url.searchParams.set('mill', mill);
  return url.pathname + url.search;
}

async function load() {
  const res = await api('/notifications?perPage=50');
  list.replaceChildren();
  (res.data || []).forEach((n) => {
    const li = document.createElement('li');
    li.className = `notif notif-${n.type || 'info'}${n.read ? '' : ' unread'}`;
    const head = document.createElement('p');
    head.className = 'notif-title';
    const title = document.createElement('strong');
    title.textContent = n.title || '';
    const when = document.createElement('time');
    when.dateTime = n.createdAt || '';
    when.textContent = fmt.datetime(n.createdAt);
    head.append(title, ' ', when);
    const text = document.createElement('p');
    text.className = 'notif-text';
    text.textContent = n.message || '';
    const actions = document.createElement('p');
    actions.className = 'notif-actions';
    const href = notificationLink(n.data);
    if (href) {
      const a = document.createElement('a');
      a.href = href;
      a.textContent = 'Open';
      actions.append(a);
    }
    if (!n.read) {
      actions.append(button('Mark read', async () => {
        await api(`/notifications/${n.id}/read`, { method: 'POST' });
        load();
        loadBell();
      }, 'link'));
    }
    li.append(head, text);
    if (actions.childNodes.length) li.append(actions);
    list.append(li);
  });
  if (!list.children.length) list.textContent = 'No notifications.';
}
onLoad(load);
on(E.NOTIFICATION, debounce(load));
document.getElementById('read-all').addEventListener('click', async () => {
  await api('/notifications/read-all', { method: 'POST' });
  setBell(0);
  load();
});
