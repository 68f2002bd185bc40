// Overview: open alerts (newest first, severity colours, acknowledge), filters, counts per domain, devices online/offline.
(() => {
  'use strict';
  const { t, el, fmtTime, fmtNum, deviceHref, message } = window.bn;
  const alerts = new Map();
  const devices = new Map();
  const body = document.querySelector('#alerts tbody');
  const none = document.getElementById('no-alerts');
  const fDomain = document.getElementById('f-domain');
  const fSite = document.getElementById('f-site');
  const fSeverity = document.getElementById('f-severity');

  function refreshSites() {
    const sites = new Set([...alerts.values()].map(a => a.site).concat([...devices.values()].map(d => d.site)));
    const chosen = fSite.value;
    const known = new Set([...fSite.options].map(o => o.value));
    for (const site of [...sites].sort(window.bn.bySiteName)) {
      if (!known.has(site)) fSite.append(el('option', { value: site, text: window.bn.siteName(site) }));
    }
    fSite.value = chosen;
  }

  function row(a) {
    const ack = a.state === 'raised'
      ? el('button', { class: 'ack', type: 'button', on: { click: () => acknowledge(a.alertId) } }, t('ack.button'))
      : el('span', {}, a.acknowledgedBy ? `${t('ack.by')} ${a.acknowledgedBy} · ${fmtTime(a.acknowledgedAt)}` : '');
    const value = a.value !== undefined && a.value !== null
      ? `${fmtNum(a.value, 2)} / ${fmtNum(a.limit, 2)} ${a.unit ?? ''}` : '';
    return el('tr', { class: 'sev-' + a.severity + ' state-' + a.state, dataset: { alertId: a.alertId } },
      el('td', { class: 'time' }, fmtTime(a.raisedAt)),
      el('td', {}, el('span', { class: 'badge sev-' + a.severity }, t('severity.' + a.severity))),
      el('td', {}, t('domain.' + a.domain)),
      el('td', {}, window.bn.siteName(a.site)),
      el('td', {}, el('a', { href: deviceHref(a.deviceId), class: 'device' }, a.deviceId)),
      el('td', { class: 'message' }, message(a), a.standard ? el('small', {}, ' (' + a.standard + ')') : null),
      el('td', {}, value),
      el('td', { class: 'state' }, t('state.' + a.state)),
      el('td', {}, ack));
  }

  function render() {
    refreshSites();
    const shown = [...alerts.values()]
      .filter(a => (!fDomain.value || a.domain === fDomain.value) && (!fSite.value || a.site === fSite.value) && (!fSeverity.value || a.severity === fSeverity.value))
      .sort((x, y) => new Date(y.raisedAt) - new Date(x.raisedAt));
    body.replaceChildren(...shown.map(row));
    none.hidden = shown.length > 0;
    for (const card of document.querySelectorAll('#counts .card')) {
      const d = card.dataset.domain;
      const open = [...alerts.values()].filter(a => a.domain === d).length;
      card.querySelector('.n-alerts').textContent = open;
      card.querySelector('.l-alerts').textContent = t(open === 1 ? 'alerts.open.one' : 'alerts.open');
      card.querySelector('.n-online').textContent = [...devices.values()].filter(x => x.domain === d && x.state === 'online').length;
      card.querySelector('.n-offline').textContent = [...devices.values()].filter(x => x.domain === d && x.state === 'offline').length;
    }
  }

  async function acknowledge(id) {
    try {
      const updated = await window.bn.post('/api/alerts/' + encodeURIComponent(id) + '/ack', {});
      alerts.set(updated.alertId, updated);
      render();
    } catch (e) { console.error(e); }
  }

  window.bn.on('AlertChanged', a => { if (a.state === 'cleared') alerts.delete(a.alertId); else alerts.set(a.alertId, a); render(); });
  window.bn.on('DeviceChanged', d => { devices.set(d.id, d); render(); });
  window.bn.on('AqiUpdated', () => {});
  window.bn.on('ReadingReceived', () => {});
  window.bn.onConnected(async () => {
    const [open, all] = await Promise.all([window.bn.connection.invoke('GetOpenAlerts'), window.bn.connection.invoke('GetDevices')]);
    alerts.clear(); for (const a of open) alerts.set(a.alertId, a);
    devices.clear(); for (const d of all) devices.set(d.id, d);
    render();
  });
  for (const f of [fDomain, fSite, fSeverity]) f.addEventListener('change', render);
  render();
})();
