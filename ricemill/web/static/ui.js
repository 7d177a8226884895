/* Small page parts: toasts, the bell, tables and buttons. */
import { api } from './api.js';
import { fmt } from './format.js';

export function toast(message, type = 'info', title = '') {
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

export function setBell(count) {
  const badge = document.getElementById('bell-count');
  if (!badge) return;
  badge.dataset.count = String(count);
  badge.textContent = count > 99 ? '99+' : String(count);
  badge.hidden = count <= 0;
  document.getElementById('bell').setAttribute('aria-label', `Notifications, ${count} unread`);
}

export function bellCount() {
  const badge = document.getElementById('bell-count');
  return Number(badge ? badge.dataset.count : 0);
}

export async function loadBell() {
  try {
    const res = await api('/notifications?unread=true&perPage=1');
    setBell(res.meta.unreadCount);
  } catch (_) { /* the bell is a nicety; the page works without it */ }
}

// columns: [{key, label, fmt}] ; extra(row, td) may fill a last cell (actions).
export function renderRows(tbody, items, columns, extra) {
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

export function button(label, onClick, cls = '') {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (cls) b.className = cls;
  b.addEventListener('click', onClick);
  return b;
}

/** set('stat-x', 'text'): the element's text, if the page has it. */
export function setText(id, text) {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}
