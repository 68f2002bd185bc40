// Shared by every signed-in page: texts, safe DOM building (text only, never HTML), API calls with the anti-forgery
// token, and the SignalR connection that reconnects by itself and tells the page to catch up afterwards.
(() => {
  'use strict';
  const i18n = JSON.parse(document.getElementById('i18n').textContent);
  const lang = document.documentElement.lang || 'vi';
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
  const t = key => i18n[key] ?? key;
  /** A field's name as people read it (pm25 → "PM2.5"); an unknown field as sent. */
  const fieldName = f => i18n['fieldname.' + f] ?? f;
  /** The same with its stored unit (pm25 → "PM2.5 (µg/m³)"). */
  const fieldLabel = f => i18n['field.' + f] ?? f;
  /** A registry device kind in words (outfall → "Cửa xả thải"); a kind not known here as written. */
  const kindName = k => k ? (i18n['kind.' + k] ?? k) : k;
  const siteNames = JSON.parse(document.getElementById('site-names')?.textContent || '{}');
  /** A site as people call it, from the registry's site_name (tien-son → "KCN Tiên Sơn"); a site without one by its id. */
  const siteName = s => (s && Object.hasOwn(siteNames, s)) ? siteNames[s] : s;
  /** Site ids in the order of their names; devices by site name, then id. */
  const bySiteName = (a, b) => siteName(a).localeCompare(siteName(b));
  const bySiteThenId = (a, b) => bySiteName(a.site, b.site) || a.id.localeCompare(b.id);

  /** Creates an element; strings among the children become text nodes, so device text is never parsed as HTML. */
  function el(tag, props, ...children) {
    const node = tag.startsWith('svg:')
      ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
      : document.createElement(tag);
    for (const [key, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.setAttribute('class', value);
      else if (key === 'text') node.textContent = String(value);
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else if (key === 'style') for (const [p, v] of Object.entries(value)) node.style.setProperty(p, v);
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const timeFormat = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh', hour12: false, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit'
  });
  const fmtTime = iso => iso ? timeFormat.format(new Date(iso)) : t('common.none');
  const fmtNum = (v, digits = 1) => (v === undefined || v === null || !Number.isFinite(v)) ? t('common.none')
    : v.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: digits });
  const deviceHref = id => '/device/' + encodeURIComponent(id);
  const safeColour = c => /^#[0-9a-fA-F]{6}$/.test(c ?? '') ? c : '#cccccc';
  const message = a => (lang === 'en' ? a.message : a.messageVi) || a.message || '';

  async function api(path) {
    const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) { const e = new Error(path + ': ' + response.status); e.status = response.status; throw e; }
    return response.json();
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': csrf },
      body: JSON.stringify(body ?? {})
    });
    if (!response.ok) { const e = new Error(path + ': ' + response.status); e.status = response.status; throw e; }
    return response.json();
  }

  /** Limit check as on the server: outside [min, max] is over. */
  const exceeds = (limit, v) => limit && Number.isFinite(v) && ((limit.min !== null && limit.min !== undefined && v < limit.min) || (limit.max !== null && limit.max !== undefined && v > limit.max));
  const limitText = l => l ? [l.min !== null && l.min !== undefined ? '≥ ' + l.min : null, l.max !== null && l.max !== undefined ? '≤ ' + l.max : null].filter(Boolean).join(', ') + ' (' + l.averaging + ', ' + l.standard + ')' : '';

  const connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/live')
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(1000 * (ctx.previousRetryCount + 1), 5000) })
    .build();
  const connectedCallbacks = [];
  const status = document.getElementById('connection');
  const setState = state => {
    if (!status) return;
    status.dataset.state = state;
    status.textContent = t(state === 'live' ? 'conn.live' : state === 'lost' ? 'conn.lost' : 'conn.connecting');
  };
  const caughtUp = async () => { for (const fn of connectedCallbacks) { try { await fn(); } catch (e) { console.error(e); } } };

  async function start() {
    try {
      setState('connecting');
      await connection.start();
      setState('live');
      await caughtUp();
    } catch (e) {
      setState('lost');
      setTimeout(start, 2000);
    }
  }
  connection.onreconnecting(() => setState('lost'));
  connection.onreconnected(async () => { setState('live'); await caughtUp(); });
  connection.onclose(() => { setState('lost'); setTimeout(start, 2000); });

  window.bn = {
    t, lang, el, api, post, fmtTime, fmtNum, deviceHref, safeColour, message, exceeds, limitText, connection, fieldName, fieldLabel, kindName, siteName, bySiteName, bySiteThenId,
    /** Runs on every (re)connect: fetch the current state there, so nothing missed while away stays missing. */
    onConnected: fn => connectedCallbacks.push(fn),
    on: (name, fn) => connection.on(name, fn)
  };
  // Start once every page script has run and registered its handlers. A timer set here could fire while the parser
  // waits for a later script (it does, for the pages that load chart code first), and a quick connection would then be
  // caught up before that page's handler existed: the page would never fetch its devices.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
})();
