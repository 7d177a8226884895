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
  millsListed = (res.data || []).filter((m) => m.isActive).length; // active ones, as platform:stats counts
  tbody.replaceChildren();
  (res.data || []).forEach((m) => {
    const tr = document.createElement('tr');
    tr.dataset.id = m.id;
    const name = document.createElement('td');
    name.dataset.label = 'Name';
    const a = document.createElement('a');
    a.href = `/?mill=${m.id}`;
    a.textContent = m.name;
    name.append(a);
    tr.append(name);
    [['Code', m.code], ['Address', m.address || '–'], ['Active', m.isActive ? 'yes' : 'no']].forEach(([label, t]) => {
      const td = document.createElement('td');
      td.dataset.label = label;
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
const statsLine = document.getElementById('platform-stats');
// The figures: the last platform:stats, kept current between pushes by what this page knows for
// sure (a mill just created; this very page being connected).
let stats = null;
let millsListed = 0;
function showStats() {
  if (!stats) return;
  const n = (count, one, many) => `${count.toLocaleString('en-IN')} ${count === 1 ? one : many}`;
  const connections = Math.max(stats.connections, adminSocket.connected ? 1 : 0);
  const online = Math.max(stats.connectedUsers, adminSocket.connected ? 1 : 0);
  statsLine.textContent = [
    n(Math.max(stats.mills, millsListed), 'mill', 'mills'),
    n(stats.users, 'user', 'users'),
    `${n(connections, 'connection', 'connections')} now (${n(online, 'user', 'users')} online)`,
  ].join(' · ');
  statsLine.dataset.mills = String(Math.max(stats.mills, millsListed));
}
adminSocket.on(E.PLATFORM_STATS, (s) => { stats = s; showStats(); });
adminSocket.on(E.MILL_CREATED, async () => {
  await loadMills();
  showStats();
});
adminSocket.on('connect', showStats);

bindForm(document.getElementById('mill-form'), {
  // an empty admin when none was typed: the server then names each missing starred field
  submit: (data, opts) => api('/mills', { method: 'POST', body: { admin: {}, ...data }, ...opts }),
  done: loadMills,
});
bindForm(document.getElementById('broadcast-form'), {
  submit: (data, opts) => api('/admin/broadcast', { method: 'POST', body: data, ...opts }),
});
