// Energy: meters with voltage, power, today's energy, outage/tamper flags; load curve per site (sum of meters).
(() => {
  'use strict';
  const { t, el, api, fmtTime, fmtNum, deviceHref, valueCell } = window.bn;
  const body = document.querySelector('#meters tbody');
  const siteSelect = document.getElementById('load-site');
  const rangeSelect = document.getElementById('load-range');
  const chartBox = document.getElementById('load-chart');
  let limits = {};
  let today = new Map();
  let devices = new Map();
  let chart = null;

  function render() {
    const sites = [...new Set([...devices.values()].map(d => d.site))].sort(window.bn.bySiteName);
    const known = new Set([...siteSelect.options].map(o => o.value));
    for (const s of sites) if (!known.has(s)) siteSelect.append(el('option', { value: s, text: window.bn.siteName(s) }));
    if (!chart && siteSelect.value) loadCurve();
    const rows = [...devices.values()].sort(window.bn.bySiteThenId).map(d => {
      const day = today.get(d.id);
      const flags = (d.flags ?? []).filter(f => f === 'outage' || f === 'tamper');
      const events = [...flags.map(f => t('energy.now') + ': ' + t('energy.flag.' + f)),
        day?.outages ? `${t('energy.outages')} × ${day.outages}` : null,
        day?.tampers ? `${t('energy.tampers')} × ${day.tampers}` : null].filter(Boolean);
      return el('tr', { dataset: { device: d.id }, class: 'state-' + d.state + (flags.length ? ' flagged' : '') },
        el('td', {}, el('a', { href: deviceHref(d.id), class: 'device' }, d.id)),
        el('td', {}, window.bn.siteName(d.site)),
        el('td', {}, window.bn.t('devices.' + d.state)),
        valueCell(d.values?.voltage, limits.voltage),
        el('td', { class: 'num' }, fmtNum(d.values?.power, 2)),
        el('td', { class: 'num' }, fmtNum(day?.kwh, 2)),
        el('td', { class: events.length ? 'over events' : 'events' }, events.join(' · ')),
        el('td', {}, fmtTime(d.lastSeen)));
    });
    body.replaceChildren(...rows);
  }

  async function loadCurve() {
    if (!siteSelect.value) return;
    const series = await api('/api/energy/load?site=' + encodeURIComponent(siteSelect.value) + '&range=' + encodeURIComponent(rangeSelect.value));
    chart?.destroy();
    chartBox.replaceChildren();
    chart = window.bn.chart(chartBox, 'kW', series.points);
  }

  // Refreshed every minute; a failed fetch (server busy, InfluxDB restarting) is tried again after a few seconds
  // rather than leaving the day's figures empty for a minute.
  let todayTimer = 0;
  async function loadToday() {
    clearTimeout(todayTimer);
    let next = 60000;
    try {
      today = new Map((await api('/api/energy/today')).map(m => [m.device, m]));
      render();
    } catch (e) {
      console.error(e);
      next = 5000;
    }
    todayTimer = setTimeout(loadToday, next);
  }

  devices = window.bn.stations('meter', render);
  siteSelect.addEventListener('change', loadCurve);
  rangeSelect.addEventListener('change', loadCurve);
  api('/api/limits').then(l => { limits = Object.fromEntries(l.meter.map(x => [x.field, x])); render(); });
  loadToday();
})();
