/** The training report's browser script (runs with uPlot and core's `TL` helpers). */
export const TRAINING_SCRIPT = String.raw`(() => {
  const { h, fmt, num, badge, chart, duration, bound } = TL;
  const view = TL.pageData();
  const runs = view.runs;
  const main = document.getElementById('main');
  document.getElementById('subtitle').textContent = 'generated ' + view.generated_at + ' · ' + runs.length + (runs.length === 1 ? ' run' : ' runs');
  const statusBadge = (s) => badge(s === 'finished' ? 'ok' : s === 'running' ? 'skip' : 'bad', s);
  const cell = (run, field, value, text) => {
    const td = num(value, text);
    td.dataset.field = field;
    td.dataset.run = run;
    return td;
  };
  const textCell = (run, field, value) => h('td', { 'data-field': field, 'data-run': run, title: value ?? '' }, value === null || value === undefined ? '\u2013' : bound(value, 60));
  const rows = [];
  const row = (label, cells, differs) => rows.push(h('tr', { class: differs ? 'differs' : '' }, h('th', {}, label), cells));
  row('status', runs.map((r, i) => h('td', { 'data-field': 'status', 'data-run': i, 'data-value': r.status }, statusBadge(r.status), r.signal ? ' (' + r.signal + ')' : '')));
  row('experiment', runs.map((r, i) => textCell(i, 'experiment', r.experiment)));
  row('run', runs.map((r, i) => textCell(i, 'run_id', r.run_id)));
  row('started', runs.map((r, i) => textCell(i, 'started_at', r.started_at)));
  row('duration', runs.map((r, i) => cell(i, 'duration_ms', r.duration_ms, duration(r.duration_ms))));
  row('epochs', runs.map((r, i) => cell(i, 'epochs', r.epochs)));
  row('steps', runs.map((r, i) => cell(i, 'steps', r.steps)));
  row('epoch time (mean)', runs.map((r, i) => cell(i, 'epoch_mean_ms', r.epoch_ms && r.epochs ? r.epoch_ms.total / r.epochs : null, r.epoch_ms && r.epochs ? duration(r.epoch_ms.total / r.epochs) : undefined)));
  const dv = runs.map((r) => r.dataset_version);
  row('dataset version', runs.map((r, i) => textCell(i, 'dataset_version', r.dataset_version)), new Set(dv).size > 1);
  row('model', runs.map((r, i) => textCell(i, 'model', r.model ? r.model.name + '@' + r.model.version : null)));
  row('git', runs.map((r, i) => textCell(i, 'git_sha', r.git_sha ? r.git_sha.slice(0, 12) : null)));
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  for (const k of paramKeys) {
    const vals = runs.map((r) => (k in r.params ? JSON.stringify(r.params[k]) : undefined));
    row(h('span', { title: k }, 'param ', h('code', {}, bound(k, 40))), runs.map((r, i) => h('td', { 'data-field': 'param:' + k, 'data-run': i, 'data-value': vals[i] ?? 'undefined' }, vals[i] === undefined ? '\u2013' : bound(vals[i], 60))), new Set(vals).size > 1);
  }
  const finalKeys = [...new Set(runs.flatMap((r) => Object.keys(r.final)))].sort();
  for (const k of finalKeys) {
    row(h('span', { title: k }, bound(k, 40), ' (last / best)'), runs.map((r, i) => {
      const f = r.final[k];
      return h('td', { class: 'num', 'data-field': 'final:' + k, 'data-run': i, 'data-value': f ? JSON.stringify([f.last, f.best]) : 'null' }, f ? fmt(f.last) + ' / ' + fmt(f.best) : '\u2013');
    }));
  }
  main.append(h('section', { class: 'row card', id: 'runs' }, h('h2', {}, 'Runs compared'),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, ''), runs.map((r, i) => h('th', { title: r.run_id }, h('span', { class: 'swatch', style: 'background:' + TL.COLORS[i % TL.COLORS.length] }), bound(r.label, 40))))), h('tbody', {}, rows)),
    h('p', { class: 'muted' }, 'Rows where the runs differ are highlighted.')));

  const failed = runs.map((r, i) => [r, i]).filter(([r]) => r.error || r.signal);
  if (failed.length > 0) {
    main.append(h('section', { class: 'row card', id: 'failures' }, h('h2', {}, 'Failures'), failed.map(([r, i]) =>
      h('div', { class: 'failure', 'data-run': i },
        h('h3', { title: r.run_id }, bound(r.label, 60), ' ', statusBadge(r.status)),
        r.error ? h('p', {}, h('b', { 'data-field': 'error_name' }, r.error.name), ': ', h('span', { 'data-field': 'error_message' }, r.error.message)) : null,
        r.signal ? h('p', {}, 'stopped by ', h('b', { 'data-field': 'signal' }, r.signal)) : null,
        r.error && r.error.stack ? h('details', {}, h('summary', {}, 'stack'), h('pre', {}, r.error.stack)) : null))));
  }

  function section(id, titleText, scope, extra) {
    const names = [...new Set(runs.flatMap((r) => Object.keys(r[scope].metrics)))];
    const grid = h('div', { class: 'grid' });
    const sec = h('section', { class: 'row', id }, h('h2', {}, titleText), grid);
    const todo = [];
    const add = (name, pick) => {
      const xs = [...new Set(runs.flatMap((r) => r[scope].x))].sort((a, b) => a - b);
      const at = new Map(xs.map((x, j) => [x, j]));
      const series = runs.map((r) => {
        const out = new Array(xs.length).fill(null);
        const vals = pick(r);
        if (vals) r[scope].x.forEach((x, j) => (out[at.get(x)] = vals[j]));
        return out;
      });
      const el = h('div', { class: 'chart', 'data-chart': scope, 'data-metric': name, id: scope + '-' + todo.length });
      grid.append(h('div', { class: 'card' }, h('h3', { title: name }, bound(name, 80)), el));
      todo.push([el, xs, series]);
    };
    for (const name of names) add(name, (r) => r[scope].metrics[name]);
    if (extra) add(extra.name, extra.pick);
    if (todo.length === 0) {
      grid.append(h('p', { class: 'missing' }, 'no ' + (scope === 'epoch_curves' ? 'training_epoch' : 'training_step') + ' records given (pass the run\'s JSON log lines with its summary)'));
    }
    const dropped = runs.reduce((n, r) => n + r[scope].dropped, 0);
    if (dropped > 0) sec.append(h('p', { class: 'muted' }, dropped + ' points thinned or past the limit are not drawn'));
    main.append(sec);
    for (const [el, xs, series] of todo) {
      chart(el, {
        xName: scope === 'epoch_curves' ? 'epoch' : 'step',
        legend: true,
        series: runs.map((r) => ({ label: r.label })),
        data: [xs, ...series],
      });
    }
  }
  section('epochs', 'Per epoch', 'epoch_curves', { name: 'epoch duration (ms)', pick: (r) => r.epoch_curves.duration_ms });
  if (runs.some((r) => r.step_curves.x.length > 0)) section('steps', 'Per step', 'step_curves');
})();
`;
