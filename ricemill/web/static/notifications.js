/* Notifications: newest first, mark one or all read; new ones arrive live. */
(function () {
  'use strict';
  const { E, fmt } = RM;
  const list = document.getElementById('notif-list');
  async function load() {
    const res = await RM.api('/notifications?perPage=50');
    list.replaceChildren();
    (res.data || []).forEach((n) => {
      const li = document.createElement('li');
      li.className = `notif notif-${n.type || 'info'}${n.readAt || n.read ? '' : ' unread'}`;
      const title = document.createElement('strong');
      title.textContent = n.title || '';
      const when = document.createElement('time');
      when.textContent = fmt.datetime(n.createdAt);
      li.append(title, ' ', n.message || '', ' ', when);
      if (!(n.readAt || n.read)) {
        li.append(' ', RM.button('Mark read', async () => {
          await RM.api(`/notifications/${n.id}/read`, { method: 'POST' });
          load();
          RM.loadBell();
        }, 'link'));
      }
      list.append(li);
    });
    if (!list.children.length) list.textContent = 'No notifications.';
  }
  RM.onLoad(load);
  RM.on(E.NOTIFICATION, RM.debounce(load));
  document.getElementById('read-all').addEventListener('click', async () => {
    await RM.api('/notifications/read-all', { method: 'POST' });
    RM.setBell(0);
    load();
  });
})();
