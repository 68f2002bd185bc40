// Water: stations with their parameters against QCVN 08:2023 (rivers) or QCVN 40 (industrial outfalls).
(() => {
  'use strict';
  const { el, api, fmtTime, deviceHref, valueCell } = window.bn;
  const body = document.querySelector('#stations tbody');
  let river = {};
  let outfall = {};
  let devices = new Map();
  const fields = ['ph', 'do', 'tss', 'cod', 'bod5', 'nh4', 'turbidity', 'temp'];

  function render() {
    const rows = [...devices.values()].sort(window.bn.bySiteThenId).map(d => {
      const isOutfall = d.kind === 'outfall';
      const limits = isOutfall ? outfall : river;
      return el('tr', { dataset: { device: d.id }, class: 'state-' + d.state },
        el('td', {}, el('a', { href: deviceHref(d.id), class: 'device' }, d.id)),
        el('td', {}, window.bn.siteName(d.site)),
        el('td', {}, window.bn.kindName(d.kind) ?? ''),
        el('td', {}, isOutfall ? 'QCVN 40 (B)' : 'QCVN 08 (B)'),
        ...fields.map(f => valueCell(d.values?.[f], limits[f], 2)),
        el('td', {}, fmtTime(d.lastSeen)));
    });
    body.replaceChildren(...rows);
  }

  devices = window.bn.stations('water', render);
  api('/api/limits').then(l => {
    river = Object.fromEntries(l.river.map(x => [x.field, x]));
    outfall = Object.fromEntries(l.outfall.map(x => [x.field, x]));
    render();
  });
})();
