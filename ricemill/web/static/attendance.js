/* Today's attendance on one screen: one row per active staff member, one radio per status. */
import { millApi } from './api.js';
import { fmt, today } from './format.js';
import { debounce, onLoad } from './lifecycle.js';
import { emit, on } from './live.js';
import { C, E, constants, ctx } from './meta.js';

const tbody = document.querySelector('#att-grid tbody');
const STATUSES = constants.attendanceStatuses;
const day = today();
document.getElementById('att-date').textContent = fmt.date(day);
let unmarked = [];

async function load() {
  // every staff member employed today, with today's status or null
  const res = await millApi(`/attendance?date=${day}`);
  const people = ((res.data && res.data.entries) || []).map((e) => ({ id: e.staffId, name: e.name, status: e.status }));
  const byStaff = new Map(people.map((p) => [String(p.id), p.status]));
  unmarked = people.filter((p) => !p.status).map((p) => p.id);
  tbody.replaceChildren();
  people.forEach((s) => {
    const tr = document.createElement('tr');
    tr.dataset.id = s.id;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = s.name;
    th.id = `staff-${s.id}`;
    tr.append(th);
    STATUSES.forEach((status) => {
      const td = document.createElement('td');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = `att-${s.id}`;
      input.value = status;
      input.checked = byStaff.get(String(s.id)) === status;
      input.setAttribute('aria-label', `${s.name}: ${fmt.status(status)}`);
      input.addEventListener('change', () => mark(s, status));
      td.append(input);
      tr.append(td);
    });
    tbody.append(tr);
  });
  const present = [...byStaff.values()].filter((v) => v === 'PRESENT' || v === 'HALF_DAY').length;
  document.getElementById('att-summary').textContent = `${present} of ${people.length} present`;
}
async function markAllPresent() {
  if (!unmarked.length) return;
  try {
    // one batch for the whole grid: the server upserts the day in one statement
    const entries = unmarked.map((id) => ({ staffId: id, status: 'PRESENT' }));
    await millApi('/attendance', { method: 'POST', body: { date: day, entries } });
  } catch (err) {
    document.getElementById('att-error').textContent = err.message;
  }
}
document.getElementById('att-all')?.addEventListener('click', markAllPresent);

async function mark(s, status) {
  const box = document.getElementById('att-error');
  box.textContent = '';
  emit(C.ACTIVITY_TYPING, { millId: ctx.millId, entity: 'attendance', action: 'editing' });
  try {
    await millApi('/attendance', { method: 'POST', body: { date: day, entries: [{ staffId: s.id, status }] } });
  } catch (err) {
    box.textContent = [err.message, ...(err.errors || []).map((e) => `${e.field}: ${e.message}`)].join(' · ');
    load();
  } finally {
    emit(C.ACTIVITY_STOP_TYPING, { millId: ctx.millId });
  }
}
onLoad(load);
const reload = debounce(load);
[E.ATTENDANCE_MARKED, E.STAFF_JOINED, E.STAFF_LEFT].forEach((n) => on(n, reload));
