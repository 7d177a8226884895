/* Users of the mill (MILL_ADMIN; SUPER_ADMIN for any mill): list, add, change a role, deactivate or
   reactivate, reset a password. Every change goes through /mills/{id}/users; the server ends the
   person's sessions when their access changes. */
import { ApiError, millApi } from './api.js';
import { fmt } from './format.js';
import { bindForm } from './forms.js';
import { onLoad } from './lifecycle.js';
import { ctx } from './meta.js';
import { button, renderRows, toast } from './ui.js';

const tbody = document.querySelector('#user-list tbody');
const resetSelect = document.getElementById('reset-user');
const ROLES = ['OPERATOR', 'MANAGER', 'MILL_ADMIN'];
const label = (s) => fmt.status(s).replace(/^./, (c) => c.toUpperCase());

async function change(user, body, message) {
  try {
    const res = await millApi(`/users/${user.id}`, { method: 'PATCH', body });
    toast(message || res.message, 'success');
  } catch (err) {
    toast(err.message || 'Could not save', 'error');
  }
  await loadUsers();
}

function actions(user, td) {
  td.className = 'actions';
  if (user.id === ctx.userId) {
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
    ? button('Deactivate', () => {
      if (window.confirm(`Deactivate ${user.name}? They are logged out at once.`)) {
        change(user, { isActive: false }, `${user.name} deactivated`);
      }
    }, 'danger')
    : button('Reactivate', () => change(user, { isActive: true }, `${user.name} can log in again`));
  toggle.dataset.action = user.isActive ? 'deactivate' : 'reactivate';
  td.append(select, ' ', toggle);
}

async function loadUsers() {
  const res = await millApi('/users?perPage=100');
  const users = res.data || [];
  renderRows(tbody, users.map((u) => ({
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
  users.filter((u) => u.isActive && u.id !== ctx.userId).forEach((u) => {
    resetSelect.append(new Option(`${u.name} (${u.email})`, u.id, false, u.id === chosen));
  });
}
onLoad(loadUsers);

bindForm(document.getElementById('user-form'), {
  submit: (data, opts) => millApi('/users', { method: 'POST', body: data, ...opts }),
  done: loadUsers,
});
bindForm(document.getElementById('reset-form'), {
  submit: async (data, opts) => {
    if (!data.userId) {
      throw new ApiError(422, { message: 'Choose whose password to reset.', errors: [{ field: 'userId', message: 'Choose a user.' }] });
    }
    const res = await millApi(`/users/${data.userId}`, { method: 'PATCH', body: { password: data.password || '' }, ...opts });
    return { ...res, message: `New password set for ${res.data.name}; their sessions have ended` };
  },
  done: loadUsers,
});
