/* Stock: levels against minimums, a type's ledger, minimum levels and adjustments; live. */
(function () {
  'use strict';
  const { E, fmt } = RM;
  const tbody = document.querySelector('#stock-table tbody');
  const ledger = document.querySelector('#ledger tbody');
  let selected = 'PADDY';

  async function loadStock() {
    const res = await RM.millApi('/stock');
    RM.renderRows(tbody, (res.data || []).map((s) => ({ ...s, id: s.stockType })), [
      { key: 'stockType', label: 'Type', fmt: 'status' },
      { key: 'quantity', label: 'In stock', fmt: 'kg' },
      { key: 'minStockLevel', label: 'Minimum', fmt: 'kg' },
    ], (s, td) => td.append(RM.button('Ledger', () => { selected = s.stockType; loadLedger(); })));
    (res.data || []).forEach((s) => {
      const tr = tbody.querySelector(`tr[data-id="${s.stockType}"]`);
      if (tr) {
        tr.dataset.stockType = s.stockType;
        if (Number(s.minStockLevel) > 0 && Number(s.quantity) < Number(s.minStockLevel)) tr.className = 'low';
      }
    });
  }
  async function loadLedger() {
    const res = await RM.millApi(`/stock/${selected}`);
    const data = res.data || {};
    document.getElementById('ledger-title').textContent = `Ledger: ${fmt.status(selected)}`;
    const entries = data.ledger || data.entries || [];
    RM.renderRows(ledger, entries, [
      { key: 'createdAt', label: 'When', fmt: 'datetime' },
      { key: 'change', label: 'Change', fmt: 'kg' },
      { key: 'quantityAfter', label: 'After', fmt: 'kg' },
      { key: 'reason', label: 'Reason', fmt: 'text' },
    ]);
  }
  RM.onLoad(loadStock);
  RM.onLoad(loadLedger);
  const reload = RM.debounce(() => { loadStock(); loadLedger(); });
  [E.STOCK_UPDATED, E.STOCK_LOW_ALERT].forEach((n) => RM.on(n, reload));

  const minForm = document.getElementById('min-form');
  RM.bindForm(minForm, {
    submit: ({ stockType, ...rest }) => RM.millApi(`/stock/${stockType || 'PADDY'}`, { method: 'PATCH', body: rest }),
    done: reload,
  });
  RM.bindForm(document.getElementById('adjust-form'), {
    submit: (data) => RM.millApi('/stock/adjustments', { method: 'POST', body: data }),
  });
})();
