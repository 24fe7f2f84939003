/**
 * Browser helpers shared by every Threadline page (inlined as text by `renderPage`). They build the
 * DOM with `textContent` only, never `innerHTML`, so no name or category from the data can become
 * markup; charts mark themselves `data-ready` with their point count so tests can wait for them.
 */
export const CLIENT_HELPERS = String.raw`'use strict';
const TL = (() => {
  const COLORS = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#bf3989', '#57606a'];
  const MAX_NAME = 120;
  function pageData() {
    return JSON.parse(document.getElementById('threadline-data').textContent);
  }
  function bound(text, max) {
    const chars = Array.from(String(text));
    const m = max || MAX_NAME;
    return chars.length <= m ? chars.join('') : chars.slice(0, m - 1).join('') + '\u2026';
  }
  function h(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else e.setAttribute(k, String(v));
    }
    for (const c of kids.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  function fmt(x, unit) {
    if (x === null || x === undefined) return '\u2013';
    if (typeof x !== 'number') return String(x);
    if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '\u221e' : '\u2212\u221e';
    let s;
    const a = Math.abs(x);
    if (x === 0) s = '0';
    else if (a >= 1e6 || a < 1e-3) s = x.toExponential(3);
    else s = String(Number(x.toPrecision(4)));
    return unit ? s + unit : s;
  }
  function pct(x) {
    return x === null || x === undefined || !Number.isFinite(x) ? '\u2013' : fmt(x * 100) + '%';
  }
  // A number cell: the exact value in data-value, a rounded one on screen.
  function num(x, text) {
    return h('td', { class: 'num', 'data-value': x === null || x === undefined ? 'null' : JSON.stringify(x) }, text === undefined ? fmt(x) : text);
  }
  function table(head, rows, attrs) {
    return h('table', attrs || {}, h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))), h('tbody', {}, rows));
  }
  function badge(kind, text) {
    return h('span', { class: 'badge ' + kind }, text);
  }
  function duration(ms) {
    if (ms === null || ms === undefined) return '\u2013';
    if (ms < 1000) return fmt(ms) + ' ms';
    if (ms < 120000) return fmt(ms / 1000) + ' s';
    if (ms < 7200000) return fmt(ms / 60000) + ' min';
    return fmt(ms / 3600000) + ' h';
  }
  function points(data) {
    let n = 0;
    for (let i = 1; i < data.length; i++) for (const v of data[i]) if (v !== null && v !== undefined) n++;
    return n;
  }
  // One uPlot chart in 'container'. spec: { series: [{label, color?, bars?, width?}], data, xLabels?, xTime?, height?, y? }
  function chart(container, spec) {
    const width = Math.max(280, Math.floor(container.getBoundingClientRect().width || 360));
    const labels = spec.xLabels;
    const series = [{ label: spec.xName || 'x', value: labels ? (u, v) => (v === null ? '' : labels[Math.round(v)] ?? '') : undefined }];
    spec.series.forEach((s, i) => {
      const color = s.color || COLORS[i % COLORS.length];
      const one = { label: bound(s.label, 60), stroke: color, width: s.bars ? 1 : 2, spanGaps: true, points: { show: !s.bars && spec.data[0].length < 60 } };
      if (s.bars) {
        one.fill = color + (i === 0 ? '55' : '88');
        one.paths = uPlot.paths.bars({ size: [s.width || 0.8, 200] });
        one.points = { show: false };
      }
      series.push(one);
    });
    const axes = [{ stroke: '#59636e', grid: { stroke: '#eaeef2' } }, { stroke: '#59636e', grid: { stroke: '#eaeef2' }, size: 60 }];
    if (labels) {
      const step = Math.ceil(labels.length / 12);
      axes[0].splits = () => labels.map((_, i) => i).filter((i) => i % step === 0);
      axes[0].values = (u, splits) => splits.map((v) => bound(labels[v] ?? '', 14));
      axes[0].rotate = labels.length > 6 ? -45 : 0;
      axes[0].size = labels.length > 6 ? 70 : 40;
    }
    const opts = {
      width,
      height: spec.height || 220,
      series,
      axes,
      scales: { x: { time: !!spec.xTime, range: labels ? [-0.6, labels.length - 0.4] : undefined } },
      legend: { show: spec.series.length > 1 || !!spec.legend },
      cursor: { drag: { x: false, y: false } },
    };
    if (spec.y) opts.scales.y = spec.y;
    const plot = new uPlot(opts, spec.data, container);
    container.dataset.points = String(points(spec.data));
    container.dataset.ready = 'true';
    return plot;
  }
  return { COLORS, pageData, bound, h, fmt, pct, num, table, badge, duration, chart, points };
})();
`;
