/* Milling: start a batch; complete one with its outputs (outturn and loss previewed); live list. */
(function () {
  'use strict';
  const { E, fmt } = RM;
  const tbody = document.querySelector('#batch-list tbody');
  const start = document.getElementById('start-form');
  const complete = document.getElementById('complete-form');
  let current = null;

  const columns = [
    { key: 'startedAt', label: 'Started', fmt: 'datetime' },
    { key: 'variety', label: 'Variety', fmt: 'text' },
    { key: 'paddyInputKg', label: 'Paddy in', fmt: 'kg' },
    { key: 'status', label: 'Status', fmt: 'status' },
    { key: 'riceKg', label: 'Rice', fmt: 'kg' },
    { key: 'outturnPercent', label: 'Outturn', fmt: 'percent' },
    { key: 'lossKg', label: 'Loss', fmt: 'kg' },
  ];
  function normalise(b) {
    // outputs may come as {RICE: kg, ...}; show rice in its own column
    const out = b.outputs || {};
    return { ...b, riceKg: b.riceKg ?? out.RICE ?? null };
  }
  async function load() {
    const res = await RM.millApi('/milling-batches?perPage=50');
    RM.renderRows(tbody, (res.data || []).map(normalise), columns, (b, td) => {
      if (b.status === 'IN_PROGRESS' && complete) td.append(RM.button('Complete', () => openComplete(b)));
    });
  }
  function openComplete(b) {
    current = b;
    complete.hidden = false;
    document.getElementById('complete-label').textContent = `${b.variety || ''} · ${fmt.kg(b.paddyInputKg)}`;
    complete.querySelector('input').focus();
    preview();
  }
  function preview() {
    if (!current) return;
    const val = (t) => Number(complete.elements.namedItem(`outputs.${t}`).value || 0);
    const input = Number(current.paddyInputKg);
    const total = ['RICE', 'BROKEN_RICE', 'BRAN', 'HUSK'].reduce((s, t) => s + val(t), 0);
    document.getElementById('pv-outturn').textContent = input ? fmt.percent((val('RICE') / input) * 100) : '–';
    document.getElementById('pv-loss').textContent = fmt.kg(Math.round((input - total) * 1000) / 1000);
  }
  RM.onLoad(load);
  const reload = RM.debounce(load);
  [E.MILLING_STARTED, E.MILLING_COMPLETED].forEach((n) => RM.on(n, reload));

  RM.bindForm(start, { submit: (data) => RM.millApi('/milling-batches', { method: 'POST', body: data }) });
  if (complete) {
    RM.bindForm(complete, {
      submit: (data) => RM.millApi(`/milling-batches/${current.id}/complete`, { method: 'POST', body: data }),
      done: () => { complete.hidden = true; current = null; },
    });
    complete.addEventListener('input', preview);
    document.getElementById('complete-cancel').addEventListener('click', () => { complete.hidden = true; current = null; });
  }
})();
