/* Users of the mill (MILL_ADMIN; SUPER_ADMIN for any mill): list, add, change a role, deactivate or
   reactivate, reset a password. Every change goes through /mills/{id}/users; the server ends the
   person's sessions when their access changes. */
(function () {
  'use strict';
  const { fmt } = RM;
  const tbody = document.querySelector('#user-list tbody');
  const resetSelect = document.getElementById('reset-user');
  const ROLES = ['OPERATOR', 'MANAGER', 'MILL_ADMIN'];
  const label = (s) => fmt.status(s).replace(/^./, (c) => c.toUpperCase());

  async function change(user, body, message) {
    try {
      const res = await RM.millApi(`/users/${user.id}`, { method: 'PATCH', body });
      RM.toast(message || res.message, 'success');
    } catch (err) {
      RM.toast(err.message || 'Could not save', 'error');
    }
    await loadUsers();
  }

  function actions(user, td) {
    td.className = 'actions';
    if (user.id === RM.ctx.userId) {
      td.textContent = 'You';
      return;
    }
    const select = document.createElement('select');
    select.setAttribute('aria-label', `Role of ${user.name}`);
    select.className = 'role-select';
    ROLES.forEach((r) => {
      const o = document.createElement('option');
      o.value = r;
      o.textContent = label(r);
      o.selected = r === user.role;
      select.append(o);
    });
    select.addEventListener('change', () => change(user, { role: select.value }, `${user.name} is now ${label(select.value)}`));
    const toggle = user.isActive
      ? RM.button('Deactivate', () => {
        if (window.confirm(`Deactivate ${user.name}? They are logged out at once.`)) {
          change(user, { isActive: false }, `${user.name} deactivated`);
        }
      }, 'danger')
      : RM.button('Reactivate', () => change(user, { isActive: true }, `${user.name} can log in again`));
    toggle.dataset.action = user.isActive ? 'deactivate' : 'reactivate';
    td.append(select, ' ', toggle);
  }

  async function loadUsers() {
    const res = await RM.millApi('/users?perPage=100');
    const users = res.data || [];
    RM.renderRows(tbody, users.map((u) => ({
      ...u,
      roleLabel: label(u.role),
      status: u.isActive ? 'Active' : 'Deactivated',
      lastLogin: u.lastLoginAt ? fmt.datetime(u.lastLoginAt) : 'never',
    })), [
      { key: 'name', label: 'Name' },
      { key: 'email', label: 'Email' },
      { key: 'roleLabel', label: 'Role' },
      { key: 'status', label: 'Status' },
      { key: 'lastLogin', label: 'Last login' },
    ], actions);
    const chosen = resetSelect.value;
    resetSelect.replaceChildren(new Option('—', ''));
    users.filter((u) => u.isActive && u.id !== RM.ctx.userId).forEach((u) => {
      resetSelect.append(new Option(`${u.name} (${u.email})`, u.id, false, u.id === chosen));
    });
  }
  RM.onLoad(loadUsers);

  RM.bindForm(document.getElementById('user-form'), {
    submit: (data) => RM.millApi('/users', { method: 'POST', body: data }),
    done: loadUsers,
  });
  RM.bindForm(document.getElementById('reset-form'), {
    submit: async (data) => {
      if (!data.userId) {
        throw new RM.ApiError(422, { message: 'Choose whose password to reset.', errors: [{ field: 'userId', message: 'Choose a user.' }] });
      }
      const res = await RM.millApi(`/users/${data.userId}`, { method: 'PATCH', body: { password: data.password || '' } });
      return { ...res, message: `New password set for ${res.data.name}; their sessions have ended` };
    },
    done: loadUsers,
  });
})();
