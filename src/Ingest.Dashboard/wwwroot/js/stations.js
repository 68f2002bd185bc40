// Shared by the air and water views: devices of one domain, live readings of their sites, limits.
(() => {
  'use strict';
  const { connection } = window.bn;

  /** Keeps the devices of `domain` current (snapshot on (re)connect, status changes, readings) and calls render(). */
  window.bn.stations = (domain, render) => {
    const devices = new Map();
    const watched = new Set();
    window.bn.on('DeviceChanged', d => { if (d.domain === domain) { devices.set(d.id, { ...devices.get(d.id), ...d }); render(devices); } });
    window.bn.on('ReadingReceived', r => {
      if (r.domain !== domain) return;
      const d = devices.get(r.deviceId) ?? { id: r.deviceId, domain, site: r.site, state: 'online', values: {} };
      devices.set(r.deviceId, { ...d, values: { ...d.values, ...r.values }, flags: r.flags, lastSeen: r.at, state: 'online' });
      render(devices);
    });
    window.bn.on('AlertChanged', () => {});
    window.bn.onConnected(async () => {
      const all = await connection.invoke('GetDevices');
      devices.clear();
      for (const d of all.filter(x => x.domain === domain)) devices.set(d.id, d);
      watched.clear();
      for (const site of new Set([...devices.values()].map(d => d.site))) {
        if (await connection.invoke('WatchSite', domain, site)) watched.add(site);
      }
      render(devices);
    });
    return devices;
  };

  /** A value cell coloured against its limit. */
  window.bn.valueCell = (v, limit, digits = 1) => {
    const over = window.bn.exceeds(limit, v);
    return window.bn.el('td', { class: 'num' + (over ? ' over' : ''), title: limit ? window.bn.limitText(limit) + (over ? ' — ' + window.bn.t('common.exceeded') : '') : null }, window.bn.fmtNum(v, digits));
  };
})();
