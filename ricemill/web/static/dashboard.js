/* The mill dashboard: stat cards, stock against minimums, 30-day chart, live activity feed. */
import { millApi } from './api.js';
import { fmt } from './format.js';
import { debounce, onLoad } from './lifecycle.js';
import { emit, on } from './live.js';
import { C, E, ctx } from './meta.js';
import { setText as set } from './ui.js';

let chart = null;

// The dashboard object: GET /mills/{id}/dashboard answers it, and the dashboard:stats payload IS it
// (docs/realtime.md): {today: {purchases, sales}, milling, finance, staff, lowStockAlerts, stock, series}.
function renderStats(d) {
  if (!d) return;
  const p = d.today.purchases;
  const s = d.today.sales;
  set('stat-purchases-amount', fmt.money(p.amount || 0));
  set('stat-purchases-kg', `${p.count || 0} · ${fmt.kg(p.kg || 0)}`);
  set('stat-sales-amount', fmt.money(s.amount || 0));
  set('stat-sales-kg', `${s.count || 0} · ${fmt.kg(s.kg || 0)}`);
  const m = d.milling;
  set('stat-batches', `${m.inProgress ?? 0} running`);
  const outturn = m.outturnPercentToday;
  set('stat-outturn', outturn === undefined || outturn === null ? 'no batch completed today' : `outturn today ${fmt.percent(outturn)}`);
  set('stat-receivable', fmt.money(d.finance.receivables || 0));
  set('stat-payable', fmt.money(d.finance.payables || 0));
  const staff = d.staff;
  set('stat-staff', `${staff.present ?? 0} / ${staff.active ?? 0}`);
  const nAlerts = Number(d.lowStockAlerts || 0);
  set('stat-alerts', nAlerts ? `${nAlerts} low-stock alert${nAlerts > 1 ? 's' : ''}` : 'no low-stock alerts');
  if (Array.isArray(d.stock)) renderStock(d.stock);
  if (Array.isArray(d.series)) renderChart(d.series);
}

const stockRows = new Map();
function renderStock(stocks) {
  const tbody = document.querySelector('#stock-table tbody');
  tbody.replaceChildren();
  stocks.forEach((st) => {
    const tr = document.createElement('tr');
    tr.dataset.stockType = st.stockType;
    tbody.append(tr);
    stockRows.set(st.stockType, tr);
    paintStock(st.stockType, st.quantity, st.minStockLevel, st.low);
  });
}
function paintStock(type, quantity, min, lowFlag) {
  const tr = stockRows.get(type);
  if (!tr) return;
  // the server's rule: at or below a non-zero minimum
  const low = lowFlag ?? (Number(min) > 0 && Number(quantity) <= Number(min));
  tr.className = low ? 'low' : '';
  tr.replaceChildren();
  // kilograms, with quintals on a second, smaller line: narrow enough for a phone
  const cells = [[fmt.stockType(type)], fmt.kgParts(quantity), Number(min) > 0 ? fmt.kgParts(min) : ['–']];
  cells.forEach(([main, sub], i) => {
    const td = document.createElement('td');
    td.textContent = main;
    if (sub) {
      const small = document.createElement('small');
      small.textContent = sub;
      td.append(document.createElement('br'), small);
    }
    if (i) td.className = 'num';
    if (i === 1) td.dataset.quantity = String(quantity);
    tr.append(td);
  });
  const td = document.createElement('td');
  const meter = document.createElement('meter');
  meter.min = 0;
  meter.max = Math.max(Number(min) * 2, Number(quantity), 1);
  meter.low = Number(min) || 0;
  meter.optimum = meter.max;
  meter.value = Number(quantity);
  meter.setAttribute('aria-label', low ? 'below minimum' : 'level');
  td.className = 'level';
  td.append(meter);
  if (low) {
    const word = document.createElement('span');
    word.className = 'low-word';
    word.textContent = ' Low';
    td.append(word);
  }
  tr.append(td);
}

function renderChart(series) {
  const labels = series.map((p) => fmt.date(p.date).slice(0, 6));
  const bought = series.map((p) => Number(p.purchasedKg || 0) / 100);
  const sold = series.map((p) => Number(p.soldKg || 0) / 100);
  if (typeof Chart === 'undefined') return;
  if (chart) {
    chart.data.labels = labels;
    chart.data.datasets[0].data = bought;
    chart.data.datasets[1].data = sold;
    chart.update('none');
    return;
  }
  chart = new Chart(document.getElementById('chart'), {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'Paddy bought (q)', data: bought, backgroundColor: '#2f6f3e' },
        { label: 'Sold (q)', data: sold, backgroundColor: '#c47f17' },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: 'quintals' } } },
    },
  });
}

// --- activity feed --------------------------------------------------------------------------------
const feed = document.getElementById('feed');
function addEntry(a, atTop = true) {
  if (!a || (a.seq && feed.querySelector(`[data-seq="${a.seq}"]`))) return;
  const li = document.createElement('li');
  if (a.seq) li.dataset.seq = String(a.seq);
  const time = document.createElement('time');
  time.dateTime = a.at || '';
  time.textContent = fmt.time(a.at);
  li.append(time, ' ', a.summary || a.type || '');
  if (atTop) feed.prepend(li); else feed.append(li);
  while (feed.children.length > 30) feed.lastElementChild.remove();
}
async function loadFeed() {
  const res = await millApi('/activity?limit=20');
  feed.replaceChildren();
  res.data.slice().sort((x, y) => (y.seq || 0) - (x.seq || 0)).forEach((a) => addEntry(a, false));
}

async function loadDashboard() {
  const res = await millApi('/dashboard');
  renderStats(res.data);
}
onLoad(loadDashboard);
onLoad(loadFeed);

on(E.DASHBOARD_STATS, renderStats);
on(E.ACTIVITY_NEW, (a) => addEntry(a));
on(E.STOCK_UPDATED, (p) => p && paintStock(p.stockType, p.quantity, p.minStockLevel));
// Any change in the mill may move a number: re-read the dashboard (debounced) as well as any push.
const refreshStats = debounce(loadDashboard, 300);
const notChanges = new Set([E.ACTIVITY_NEW, E.DASHBOARD_STATS, E.SYNC_DONE, E.SYNC_RESET]);
on('*', ({ name, payload }) => {
  if (payload && payload.seq && !notChanges.has(name)) refreshStats();
});
// A replay brings the documents' events but not their activity entries: re-read the feed.
on(E.SYNC_DONE, (p) => {
  const top = Number(feed.firstElementChild ? feed.firstElementChild.dataset.seq : 0);
  if (p && p.seq > top) { loadFeed(); refreshStats(); }
});
on('connect', () => { if (ctx.millId) emit(C.REQUEST_DASHBOARD, ctx.millId); });
