/** The drift report's browser script (runs with uPlot and core's `TL` helpers; data from `pageData()`). */
export const DRIFT_SCRIPT = `(() => {
  const { h, fmt, pct, num, table, badge, chart, bound } = TL;
  const view = TL.pageData();
  const s = view.summary;
  const main = document.getElementById('main');
  document.getElementById('subtitle').textContent =
    'generated ' + view.generated_at + ' · ' + s.rows + ' current rows' + (s.window_start ? ' · window ' + s.window_start + ' → ' + s.window_end : '');
  const decision = (f) => (f.skipped ? badge('skip', 'not tested: ' + f.skipped) : f.drift ? badge('bad', 'drift') : badge('ok', 'no drift'));
  const kpi = (label, value, field, text) => h('div', { class: 'kpi' }, h('b', { 'data-field': field, 'data-value': JSON.stringify(value) }, text ?? fmt(value)), label);
  main.append(
    h('section', { class: 'row card', id: 'summary' },
      h('h2', {}, 'Dataset'),
      h('div', { class: 'kpis' },
        kpi('features', s.n_features, 'n_features'),
        kpi('tested', s.n_tested, 'n_tested'),
        kpi('drifted', s.n_drifted, 'n_drifted'),
        kpi('share drifted', s.drift_share, 'drift_share', pct(s.drift_share)),
        h('div', { class: 'kpi' }, h('b', { 'data-field': 'dataset_drift', 'data-value': JSON.stringify(s.dataset_drift) }, s.dataset_drift ? badge('bad', 'dataset drift') : badge('ok', 'no dataset drift')), 'decision'),
      ),
      h('p', { id: 'rule' }, 'Rule: ', s.rule, s.correction !== 'none' ? ' · p-values corrected with ' + s.correction : ''),
      view.omitted > 0 ? h('p', { class: 'missing' }, view.omitted + ' more features not drawn (see the JSON report)') : null,
    ),
  );
  const score = (f) => num(f.score);
  main.append(
    h('section', { class: 'row card' },
      h('h2', {}, 'Features by drift score'),
      table(['feature', 'kind', 'test', 'score', 'threshold', 'decision'],
        view.features.map((f, i) => h('tr', { 'data-summary': i },
          h('td', { title: f.name }, h('a', { href: '#feature-' + i }, f.label)), h('td', {}, f.kind), h('td', {}, f.method), score(f), num(f.threshold), h('td', {}, decision(f)))),
        { id: 'feature-table' }),
    ),
  );
  const grid = h('section', { class: 'grid', id: 'features' });
  main.append(grid);
  const field = (name, value, text) => {
    const td = num(value, text);
    td.dataset.field = name;
    return td;
  };
  const charts = [];
  view.features.forEach((f, i) => {
    const chartEl = h('div', { class: 'chart', id: 'chart-' + i, 'data-chart': 'distribution' });
    const rows = [
      h('tr', {}, h('th', {}, 'test'), h('td', { 'data-field': 'method' }, f.method)),
      h('tr', {}, h('th', {}, 'statistic'), field('statistic', f.statistic)),
    ];
    if ('p_value' in f) rows.push(h('tr', {}, h('th', {}, 'p-value'), field('p_value', f.p_value)));
    if ('p_value_adjusted' in f) rows.push(h('tr', {}, h('th', {}, 'adjusted p-value'), field('p_value_adjusted', f.p_value_adjusted)));
    rows.push(
      h('tr', {}, h('th', {}, 'threshold'), field('threshold', f.threshold)),
      h('tr', {}, h('th', {}, 'decision'), h('td', { 'data-field': 'drift', 'data-value': JSON.stringify(f.drift) }, decision(f))),
      h('tr', {}, h('th', {}, 'values'), h('td', {}, 'reference ', h('span', { 'data-field': 'n_reference', 'data-value': f.n_reference }, f.n_reference), ' · current ', h('span', { 'data-field': 'n_current', 'data-value': f.n_current }, f.n_current))),
    );
    const parts = [
      h('h3', { title: f.name }, f.label, ' ', decision(f)),
      h('div', { class: 'muted' }, f.kind + ' · reference (wide bars) and current (narrow bars), share of values'),
      chartEl,
      h('table', { class: 'test' }, h('tbody', {}, rows)),
    ];
    if (f.moments) {
      const m = f.moments;
      parts.push(table(['moment', 'reference', 'current'], ['mean', 'variance', 'skew', 'kurtosis'].map((k) =>
        h('tr', {}, h('th', {}, k), field('reference_' + k, m.reference[k]), field('current_' + k, m.current ? m.current[k] : null))), { class: 'moments' }));
    }
    const bad = f.invalid_values;
    parts.push(table(['missing', 'NaN', 'infinite', 'invalid', 'unseen'], [h('tr', {}, ['missing', 'nan', 'infinite', 'invalid', 'unseen'].map((k) => field('invalid_' + k, bad[k])))], { class: 'invalid' }));
    if (f.unseen_categories && f.unseen_categories.length > 0) {
      parts.push(h('p', { class: 'unseen' }, 'unseen categories: ', f.unseen_categories.map((c, j) => h('code', { title: c }, (j ? ', ' : '') + bound(c, 40)))));
    }
    if (f.distribution.folded > 0) parts.push(h('p', { class: 'muted' }, f.distribution.folded + ' smaller categories drawn as one bar'));
    grid.append(h('article', { class: 'card', id: 'feature-' + i, 'data-feature': i }, parts));
    charts.push([chartEl, f]);
  });
  for (const [el, f] of charts) {
    const d = f.distribution;
    if (d.labels.length === 0) {
      el.append(h('p', { class: 'missing' }, 'no reference distribution for this feature'));
      continue;
    }
    chart(el, {
      xLabels: d.labels,
      xName: f.kind === 'numeric' ? 'bin' : 'category',
      series: [
        { label: 'reference', color: '#0969da', bars: true, width: 0.9 },
        { label: 'current', color: '#cf222e', bars: true, width: 0.5 },
      ],
      data: [d.labels.map((_, j) => j), d.reference, d.current],
      y: { range: (u, min, max) => [0, Math.max(max, 0.01) * 1.05] },
    });
  }
})();
`;
