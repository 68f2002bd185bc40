// Air: stations with VN_AQI (band colour and name) and pollutants against QCVN 05:2023.
(() => {
  'use strict';
  const { el, api, fmtTime, fmtNum, deviceHref, safeColour, lang, valueCell } = window.bn;
  const body = document.querySelector('#stations tbody');
  const aqi = new Map();
  let limits = {};
  let devices = new Map();
  const pollutants = ['pm25', 'pm10', 'co', 'no2', 'so2', 'o3'];

  function render() {
    const rows = [...devices.values()].sort(window.bn.bySiteThenId).map(d => {
      const q = aqi.get(d.id);
      const band = q ? (lang === 'en' ? q.bandNameEn : q.bandNameVi) : '';
      return el('tr', { dataset: { device: d.id }, class: 'state-' + d.state },
        el('td', {}, el('a', { href: deviceHref(d.id), class: 'device' }, d.id)),
        el('td', {}, window.bn.siteName(d.site)),
        el('td', { class: 'aqi num band-' + (q?.band ?? 0), style: q ? { background: safeColour(q.colour) } : {} }, q ? String(q.aqi) : '—'),
        el('td', {}, band),
        el('td', {}, q?.dominant ? window.bn.fieldName(q.dominant) : ''),
        ...pollutants.map(p => valueCell(d.values?.[p], limits[p])),
        el('td', {}, fmtTime(d.lastSeen)));
    });
    body.replaceChildren(...rows);
  }

  devices = window.bn.stations('air', render);
  window.bn.on('AqiUpdated', u => { aqi.set(u.deviceId, u); render(); });
  window.bn.onConnected(async () => {
    for (const u of await window.bn.connection.invoke('GetAqi')) aqi.set(u.deviceId, u);
    render();
  });
  api('/api/limits').then(l => {
    limits = Object.fromEntries(l.air.map(x => [x.field, x]));
    const row = document.getElementById('limit-row');
    row.append(...pollutants.map(p => el('td', { class: 'num' }, limits[p] ? (limits[p].max !== null ? '≤ ' + fmtNum(limits[p].max, 0) : '') + ' · ' + limits[p].averaging : '')), el('td', {}));
    render();
  });
})();
