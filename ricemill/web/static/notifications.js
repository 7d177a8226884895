/* Notifications: newest first, mark one or all read; new ones arrive live. */
import { api } from './api.js';
import { fmt } from './format.js';
import { debounce, onLoad } from './lifecycle.js';
import { on } from './live.js';
import { E } from './meta.js';
import { button, loadBell, setBell } from './ui.js';

const list = document.getElementById('notif-list');
async function load() {
  const res = await api('/notifications?perPage=50');
  list.replaceChildren();
  (res.data || []).forEach((n) => {
    const li = document.createElement('li');
    li.className = `notif notif-${n.type || 'info'}${n.read ? '' : ' unread'}`;
    const title = document.createElement('strong');
    title.textContent = n.title || '';
    const when = document.createElement('time');
    when.textContent = fmt.datetime(n.createdAt);
    li.append(title, ' ', n.message || '', ' ', when);
    if (!n.read) {
      li.append(' ', button('Mark read', async () => {
        await api(`/notifications/${n.id}/read`, { method: 'POST' });
        load();
        loadBell();
      }, 'link'));
    }
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
