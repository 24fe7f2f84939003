/**
 * The live page's browser script: polls `?format=json` (with the `#token=` from the address, as a
 * bearer header), keeps the last 300 snapshots for the charts, and redraws. Runs with uPlot and
 * the `TL` helpers.
 */
export const LIVE_SCRIPT = String.raw`(() => {
  const { h, fmt, pct, num, table, chart } = TL;
  const conf = TL.pageData();
  const MAX = 300;
  const history = [];
  const charts = new Map();
  let polls = 0;
  const main = document.getElementById('main');
  const sub = document.getElementById('subtitle');
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const card = (id, title) => h('div', { class: 'card', id }, h('h3', {}, title), h('div', { class: 'chart', id: id + '-chart' }), h('div', { class: 'detail', id: id + '-detail' }));
  const row = (id, title, cards) => h('section', { class: 'row', id }, h('h2', {}, title), h('div', { class: 'grid' }, cards));
  main.append(
    row('row-http', 'Traffic', [card('rps', 'Requests per second'), card('errors', 'Error rate (5xx)'), card('latency', 'Latency, all routes (s)')]),
    row('row-models', 'Models', [card('predictions', 'Predictions per second'), card('canary', 'Traffic share per version (canary)'), card('quality', 'Quality and shadow disagreement')]),
    row('row-process', 'Process', [card('cpu', 'CPU (cores)'), card('memory', 'Memory (MB)'), card('lag', 'Event-loop lag p99 (ms)')]),
    row('row-drift', 'Drift', [card('drift-share', 'Dataset drift share'), card('drift-features', 'Most drifted features')]),
  );
  const detail = (id, ...nodes) => {
    const el = document.getElementById(id + '-detail');
    el.textContent = '';
    el.append(...nodes);
  };
  // Draws (or redraws) one time chart from the history: pick(snapshot) returns { key: value }.
  function series(id, pick, scale) {
    const el = document.getElementById(id + '-chart');
    const keys = [];
    for (const s of history) for (const k of Object.keys(pick(s) || {})) if (!keys.includes(k) && keys.length < 8) keys.push(k);
    if (keys.length === 0) {
      el.textContent = '';
      charts.delete(id);
      return;
    }
    const data = [history.map((s) => s.time / 1000)];
    for (const k of keys) data.push(history.map((s) => { const v = (pick(s) || {})[k]; return v === null || v === undefined ? null : v * (scale || 1); }));
    const sig = keys.join('\u0000');
    const have = charts.get(id);
    if (have && have.sig === sig) {
      have.plot.setData(data);
      el.dataset.points = String(TL.points(data));
      return;
    }
    if (have) have.plot.destroy();
    el.textContent = '';
    charts.set(id, { sig, plot: chart(el, { xTime: true, legend: true, height: 180, series: keys.map((k) => ({ label: k })), data }) });
  }
  const missing = (section, snap) => h('p', { class: 'missing', 'data-missing': section }, snap.missing.find((m) => m.toLowerCase().startsWith(section)) || 'no data');
  const field = (name, value, text) => { const td = num(value, text); td.dataset.field = name; return td; };
  const byKey = (rows, key, value) => (rows ? Object.fromEntries(rows.map((r) => [key(r), value(r)])) : null);
  function render(snap) {
    const http = snap.http;
    series('rps', (s) => s.http && byKey(s.http.routes, (r) => r.route, (r) => r.rps));
    series('errors', (s) => s.http && byKey(s.http.routes, (r) => r.route, (r) => r.error_rate));
    series('latency', (s) => s.http && { p50: s.http.total.p50, p95: s.http.total.p95, p99: s.http.total.p99 });
    if (http) {
      const t = http.total;
      detail('rps', table(['route', 'req/s', 'errors', 'p50 s', 'p95 s', 'p99 s'], http.routes.map((r) => h('tr', { 'data-route': r.route }, h('td', { title: r.route }, TL.bound(r.route, 60)), field('rps', r.rps), field('error_rate', r.error_rate, pct(r.error_rate)), field('p50', r.p50), field('p95', r.p95), field('p99', r.p99))), { id: 'routes' }));
      detail('errors', h('div', { class: 'kpis', id: 'http-total' }, h('div', { class: 'kpi' }, h('b', {}, field('rps', t.rps)), 'req/s'), h('div', { class: 'kpi' }, h('b', {}, field('error_rate', t.error_rate, pct(t.error_rate))), 'errors')));
      detail('latency', h('div', { class: 'kpis' }, ['p50', 'p95', 'p99'].map((p) => h('div', { class: 'kpi' }, h('b', {}, field('total_' + p, t[p])), p))));
    } else for (const id of ['rps', 'errors', 'latency']) detail(id, missing('http', snap));
    const m = snap.models;
    const vkey = (v) => v.model_name + '@' + v.model_version;
    series('predictions', (s) => s.models && byKey(s.models.versions, vkey, (v) => v.prediction_rate));
    series('canary', (s) => s.models && byKey(s.models.versions, vkey, (v) => v.traffic_share));
    if (m) {
      const qnames = [...new Set(m.versions.flatMap((v) => Object.keys(v.quality)))];
      detail('predictions', table(['version', 'pred/s', 'errors', 'p95 s'], m.versions.map((v) => h('tr', { 'data-version': vkey(v) }, h('td', { title: vkey(v) }, TL.bound(vkey(v), 50)), field('prediction_rate', v.prediction_rate), field('error_rate', v.error_rate, pct(v.error_rate)), field('inference_p95', v.inference_p95))), { id: 'versions' }));
      detail('canary', h('p', { class: 'muted' }, 'share of each model name\'s predictions per version over the last poll'));
      detail('quality',
        qnames.length > 0
          ? table(['version', ...qnames], m.versions.map((v) => h('tr', { 'data-version': vkey(v) }, h('td', {}, TL.bound(vkey(v), 50)), qnames.map((q) => field(q, v.quality[q] ?? null)))), { id: 'quality-table' })
          : h('p', { class: 'missing', 'data-missing': 'quality' }, 'no quality metrics yet (they need ground-truth outcomes: monitor.recordOutcome)'),
        m.shadow.length > 0
          ? table(['shadow', 'baseline', 'disagreement'], m.shadow.map((s) => h('tr', {}, h('td', {}, TL.bound(s.model_name + '@' + s.model_version, 50)), h('td', {}, TL.bound(s.baseline_version, 30)), field('disagreement_ratio', s.disagreement_ratio, pct(s.disagreement_ratio)))), { id: 'shadow-table' })
          : h('p', { class: 'missing', 'data-missing': 'shadow' }, 'no shadow comparisons'));
    } else for (const id of ['predictions', 'canary', 'quality']) detail(id, missing('models', snap));
    const p = snap.process;
    series('cpu', (s) => s.process && { cpu: s.process.cpu });
    series('memory', (s) => s.process && { rss: s.process.rss_bytes, heap: s.process.heap_used_bytes }, 1 / 1048576);
    series('lag', (s) => s.process && { p99: s.process.event_loop_lag_p99_seconds }, 1000);
    if (p) {
      detail('cpu', h('div', { class: 'kpi' }, h('b', {}, field('cpu', p.cpu)), 'cores'));
      detail('memory', h('div', { class: 'kpis' }, h('div', { class: 'kpi' }, h('b', {}, field('rss_bytes', p.rss_bytes, fmt(p.rss_bytes / 1048576))), 'RSS MB'), h('div', { class: 'kpi' }, h('b', {}, field('heap_used_bytes', p.heap_used_bytes, fmt(p.heap_used_bytes / 1048576))), 'heap MB')));
      detail('lag', h('div', { class: 'kpi' }, h('b', {}, field('event_loop_lag_p99_seconds', p.event_loop_lag_p99_seconds, fmt(p.event_loop_lag_p99_seconds * 1000))), 'ms'));
    } else for (const id of ['cpu', 'memory', 'lag']) detail(id, missing('process', snap));
    const d = snap.drift;
    series('drift-share', (s) => s.drift && byKey(s.drift.share, (x) => x.model, (x) => x.share));
    if (d) {
      detail('drift-share', h('div', { class: 'kpis' }, d.share.map((x) => h('div', { class: 'kpi' }, h('b', {}, field('share', x.share, pct(x.share))), TL.bound(x.model, 40)))));
      detail('drift-features', table(['feature', 'test', 'score', 'drift'], d.features.map((f) => h('tr', { 'data-feature': f.feature }, h('td', { title: f.feature }, TL.bound(f.feature, 50)), h('td', {}, f.method), field('score', f.score), h('td', { 'data-field': 'detected', 'data-value': JSON.stringify(f.detected) }, f.detected ? TL.badge('bad', 'drift') : TL.badge('ok', 'no')))), { id: 'drift-table' }));
    } else for (const id of ['drift-share', 'drift-features']) detail(id, missing('drift', snap));
    sub.textContent = 'updated ' + new Date(snap.time).toLocaleTimeString() + ' · every ' + conf.pollMs / 1000 + ' s · read from the in-process registry';
  }
  async function poll() {
    try {
      const res = await fetch(location.pathname + '?format=json', { headers: token ? { authorization: 'Bearer ' + token } : {}, cache: 'no-store' });
      if (res.status === 401) {
        sub.textContent = 'unauthorized: open this page as ' + location.pathname + '#token=<your token>';
        return;
      }
      const snap = await res.json();
      history.push(snap);
      if (history.length > MAX) history.shift();
      render(snap);
      document.body.dataset.polls = String(++polls);
    } catch (e) {
      sub.textContent = 'cannot reach the service (' + e.message + '); retrying';
    } finally {
      setTimeout(poll, conf.pollMs);
    }
  }
  poll();
})();
`;
