import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { renderMetrics } from '@threadline/core';
import { FRAMEWORKS, setup, start, until } from './harness.js';

// Prometheus's own linter judges the exposition: names, units, types, label syntax. It reads the
// Prometheus text format only (OpenMetrics output is checked in the other tests).
for (const fw of FRAMEWORKS) {
  describe(`exposition on ${fw}`, () => {
    test('promtool check metrics accepts the HTTP metrics after mixed traffic', async () => {
      const { registry, logs, options } = setup();
      const app = await start(fw, { threadline: options });
      try {
        for (const path of ['/users/1', '/api/t/items/2', '/nowhere', '/boom-sync', '/teapot']) {
          await (
            await fetch(app.url + path, {
              headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
            })
          ).text();
        }
        await (await fetch(`${app.url}/any`, { method: 'PROPFIND' })).text();
        await until(() => logs.access().length === 6);
        const { body } = await renderMetrics(registry, 'prometheus');
        assert.match(body, /http_server_errors_total\{/);
        const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
        assert.equal(r.error, undefined, 'promtool must be installed (apt-get install prometheus)');
        assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      } finally {
        await app.close();
      }
    });
  });
}
