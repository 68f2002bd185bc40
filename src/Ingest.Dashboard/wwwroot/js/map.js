// Map: devices at their registry coordinates over a plain outline of the province (Web Mercator), coloured by state;
// tiles only when a tile URL template ({z}/{x}/{y}) is configured.
(() => {
  'use strict';
  const { el, t, deviceHref, connection } = window.bn;
  const svg = document.getElementById('map');
  const W = 1000, H = 800;
  // A coarse outline of Bắc Ninh province (lon, lat), enough to orient; not a survey boundary.
  const outline = [[105.91, 21.27], [105.99, 21.26], [106.06, 21.24], [106.12, 21.22], [106.19, 21.17], [106.25, 21.13], [106.28, 21.08],
    [106.24, 21.03], [106.17, 21.00], [106.10, 20.99], [106.03, 21.00], [105.97, 21.03], [105.92, 21.07], [105.89, 21.12],
    [105.88, 21.18], [105.89, 21.23]];
  const merc = ([lon, lat]) => [(lon + 180) / 360, (1 - Math.log(Math.tan(lat * Math.PI / 180) + 1 / Math.cos(lat * Math.PI / 180)) / Math.PI) / 2];
  const devices = new Map();
  const alerting = new Set();
  let box = null;

  function bounds() {
    const pts = outline.concat([...devices.values()].filter(d => d.lat !== null && d.lon !== null && d.lat !== undefined).map(d => [d.lon, d.lat])).map(merc);
    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
    let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const pad = 0.05 * Math.max(x1 - x0, y1 - y0);
    x0 -= pad; x1 += pad; y0 -= pad; y1 += pad;
    const scale = Math.min(W / (x1 - x0), H / (y1 - y0));
    return { x0, y0, scale };
  }
  const project = (lonlat) => { const [x, y] = merc(lonlat); return [(x - box.x0) * box.scale, (y - box.y0) * box.scale]; };

  function tiles() {
    const template = svg.dataset.tileUrl;
    if (!template) return [];
    const z = 11, n = 2 ** z;
    const [xa, ya] = [box.x0, box.y0];
    const [xb, yb] = [box.x0 + W / box.scale, box.y0 + H / box.scale];
    const out = [];
    for (let tx = Math.floor(xa * n); tx <= Math.floor(xb * n); tx++) {
      for (let ty = Math.floor(ya * n); ty <= Math.floor(yb * n); ty++) {
        const href = template.replace('{z}', z).replace('{x}', tx).replace('{y}', ty);
        out.push(el('svg:image', { href, x: (tx / n - box.x0) * box.scale, y: (ty / n - box.y0) * box.scale, width: box.scale / n, height: box.scale / n, opacity: 0.8 }));
      }
    }
    return out;
  }

  function render() {
    box = bounds();
    const path = outline.map((p, i) => { const [x, y] = project(p); return (i ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1); }).join(' ') + ' Z';
    const dots = [...devices.values()].filter(d => d.lat !== null && d.lat !== undefined && d.lon !== null).map(d => {
      const [x, y] = project([d.lon, d.lat]);
      const state = alerting.has(d.id) ? 'alerting' : d.state;
      const link = el('svg:a', { href: deviceHref(d.id), class: 'dev', dataset: { device: d.id } },
        el('svg:circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 7, class: 'dot-' + state + ' domain-' + d.domain }),
        el('svg:title', {}, `${d.id} · ${window.bn.siteName(d.site)} · ${t('domain.' + d.domain)} · ${t(state === 'alerting' ? 'alerts.open' : 'devices.' + state)}`));
      link.addEventListener('mouseenter', () => { document.getElementById('map-selected').textContent = `${d.id} — ${window.bn.siteName(d.site)}`; });
      return link;
    });
    svg.replaceChildren(...tiles(), el('svg:path', { d: path, class: 'outline' }),
      el('svg:text', { x: 20, y: 40, class: 'map-label' }, 'Bắc Ninh'), ...dots);
  }

  window.bn.on('DeviceChanged', d => { devices.set(d.id, { ...devices.get(d.id), ...d }); render(); });
  window.bn.on('AlertChanged', a => { if (a.state === 'cleared') alerting.delete(a.deviceId); else alerting.add(a.deviceId); render(); });
  window.bn.on('ReadingReceived', () => {});
  window.bn.on('AqiUpdated', () => {});
  window.bn.onConnected(async () => {
    const [all, open] = await Promise.all([connection.invoke('GetDevices'), connection.invoke('GetOpenAlerts')]);
    devices.clear(); for (const d of all) devices.set(d.id, d);
    alerting.clear(); for (const a of open) alerting.add(a.deviceId);
    render();
  });
  render();
})();
