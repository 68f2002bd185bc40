// Device page: facts, history chart of any field over 1 h … 30 days (aggregated server-side), live-appended,
// CSV/JSON export of the range, alert history.
(() => {
  'use strict';
  const { t, el, api, fmtTime, fmtNum, message, connection } = window.bn;
  const id = document.getElementById('device-id').dataset.id;
  const base = '/api/devices/' + encodeURIComponent(id);
  const fieldSelect = document.getElementById('field');
  const rangeSelect = document.getElementById('range');
  const chartBox = document.getElementById('chart');
  const info = document.getElementById('series-info');
  const preferred = { air: 'pm25', water: 'ph', meter: 'power' };
  /** The server's aggregation step ("300s") as people say it: 5 phút / 5 min. */
  const stepText = step => {
    const seconds = Number(/^(\d+)s$/.exec(step ?? '')?.[1]);
    if (!Number.isFinite(seconds) || seconds <= 0) return step ?? '';
    if (seconds % 3600 === 0) return `${seconds / 3600} ${t('unit.hours')}`;
    if (seconds % 60 === 0) return `${seconds / 60} ${t('unit.minutes')}`;
    return `${seconds} ${t('unit.seconds')}`;
  };
  // ?field=…&range=… preselect the chart, so a view can be linked.
  const params = new URLSearchParams(location.search);
  if ([...rangeSelect.options].some(o => o.value === params.get('range'))) rangeSelect.value = params.get('range');
  let device = null;
  let chart = null;

  const fact = (k, v) => { document.querySelector(`#facts dd[data-k="${k}"]`).textContent = v ?? '—'; };

  async function loadDevice() {
    try {
      device = await api(base);
    } catch (e) {
      const box = document.getElementById('device-error');
      box.hidden = false;
      box.textContent = e.status === 403 ? t('device.forbidden') : String(e.message);
      return false;
    }
    fact('domain', t('domain.' + device.domain));
    fact('site', window.bn.siteName(device.site));
    fact('kind', window.bn.kindName(device.kind));
    fact('state', t('devices.' + (device.live?.state ?? 'unknown')));
    fact('lastSeen', fmtTime(device.live?.lastSeen));
    const fields = await api(base + '/fields');
    const shown = fields.length ? fields : Object.keys(device.live?.values ?? {});
    fieldSelect.replaceChildren(...shown.map(f => el('option', { value: f, text: window.bn.fieldLabel(f) })));
    const wanted = params.get('field');
    if (wanted && shown.includes(wanted)) fieldSelect.value = wanted;
    else if (shown.includes(preferred[device.domain])) fieldSelect.value = preferred[device.domain];
    return true;
  }

  async function loadSeries() {
    const field = fieldSelect.value;
    if (!field) return;
    const range = rangeSelect.value;
    const series = await api(`${base}/history?field=${encodeURIComponent(field)}&range=${encodeURIComponent(range)}`);
    chart?.destroy();
    chartBox.replaceChildren();
    info.textContent = `${series.points.length} ${t('device.points')} ${stepText(series.step)}` + (series.points.length ? '' : ' — ' + t('device.nodata'));
    chart = window.bn.chart(chartBox, window.bn.fieldLabel(field), series.points);
    document.getElementById('export-csv').href = `${base}/export.csv?range=${encodeURIComponent(range)}`;
    document.getElementById('export-json').href = `${base}/export.json?range=${encodeURIComponent(range)}`;
  }

  async function loadAlerts() {
    const history = await api(base + '/alerts?range=30d');
    document.querySelector('#alert-history tbody').replaceChildren(...history.map(a => el('tr', { class: 'sev-' + a.severity },
      el('td', {}, fmtTime(a.eventAt)),
      el('td', {}, t('state.' + a.state)),
      el('td', {}, el('span', { class: 'badge sev-' + a.severity }, t('severity.' + a.severity))),
      el('td', {}, a.ruleId),
      el('td', {}, message(a)),
      el('td', {}, a.value !== undefined && a.value !== null ? `${fmtNum(a.value, 2)} / ${fmtNum(a.limit, 2)} ${a.unit ?? ''}` : ''),
      el('td', {}, a.acknowledgedBy ?? ''))));
  }

  window.bn.on('ReadingReceived', r => {
    if (r.deviceId !== id) return;
    fact('lastSeen', fmtTime(r.at));
    fact('state', t('devices.online'));
    const v = r.values[fieldSelect.value];
    if (chart && Number.isFinite(v)) chart.append(r.at, v);
  });
  window.bn.on('DeviceChanged', d => { if (d.id === id) { fact('state', t('devices.' + d.state)); fact('lastSeen', fmtTime(d.lastSeen)); } });
  window.bn.on('AlertChanged', a => { if (a.deviceId === id) loadAlerts(); });
  window.bn.on('AqiUpdated', () => {});
  window.bn.onConnected(async () => {
    if (device && device.site) await connection.invoke('WatchSite', device.domain, device.site);
  });

  fieldSelect.addEventListener('change', loadSeries);
  rangeSelect.addEventListener('change', loadSeries);
  loadDevice().then(async ok => {
    if (!ok) return;
    if (connection.state === 'Connected' && device.site) await connection.invoke('WatchSite', device.domain, device.site);
    await Promise.all([loadSeries(), loadAlerts()]);
  });
})();
