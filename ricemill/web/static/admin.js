/* Platform admin: mills, create a mill with its first admin, all mills' live activity, broadcast. */
import { api } from './api.js';
import { fmt } from './format.js';
import { bindForm } from './forms.js';
import { onLoad } from './lifecycle.js';
import { E } from './meta.js';

const tbody = document.querySelector('#mill-list tbody');
const feed = document.getElementById('admin-feed');

async function loadMills() {
  const res = await api('/mills?perPage=100');
  tbody.replaceChildren();
  (res.data || []).forEach((m) => {
    const tr = document.createElement('tr');
    tr.dataset.id = m.id;
    const name = document.createElement('td');
    const a = document.createElement('a');
    a.href = `/?mill=${m.id}`;
    a.textContent = m.name;
    name.append(a);
    tr.append(name);
    [m.code, m.address || '–', m.isActive ? 'yes' : 'no'].forEach((t) => {
      const td = document.createElement('td');
      td.textContent = t;
      tr.append(td);
    });
    tbody.append(tr);
  });
}
onLoad(loadMills);

// The /admin namespace: every mill's activity:new and platform events (SUPER_ADMIN only).
function addEntry(a) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = fmt.time(a.at);
  li.append(time, ' ', a.summary || a.type || '');
  feed.prepend(li);
  while (feed.children.length > 50) feed.lastElementChild.remove();
}
const adminSocket = io('/admin', { transports: ['websocket', 'polling'], withCredentials: true });
adminSocket.on(E.ACTIVITY_NEW, addEntry);
adminSocket.on(E.MILL_CREATED, () => loadMills());
const statsLine = document.getElementById('platform-stats');
adminSocket.on(E.PLATFORM_STATS, (s) => {
  const n = (count, one, many) => `${count.toLocaleString('en-IN')} ${count === 1 ? one : many}`;
  statsLine.textContent = [
    n(s.mills, 'mill', 'mills'),
    n(s.users, 'user', 'users'),
    `${n(s.connections, 'connection', 'connections')} now (${n(s.connectedUsers, 'user', 'users')} online)`,
  ].join(' · ');
});

bindForm(document.getElementById('mill-form'), {
  // an empty admin when none was typed: the server then names each missing starred field
  submit: (data, opts) => api('/mills', { method: 'POST', body: { admin: {}, ...data }, ...opts }),
  done: loadMills,
});
bindForm(document.getElementById('broadcast-form'), {
  submit: (data, opts) => api('/admin/broadcast', { method: 'POST', body: data, ...opts }),
});
