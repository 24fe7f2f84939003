// The `service` field is the same however the process was started: `node server.js` from any
// directory, or an npm script (which sets npm_package_name to the package it runs in).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./fixtures/service/print-service.ts', import.meta.url));

function services(env: Record<string, string>, cwd = ROOT): string[] {
  const clean = { ...process.env };
  for (const key of ['OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES', 'npm_package_name']) delete clean[key];
  const out = spawnSync(process.execPath, ['--conditions=threadline-source', '--import', 'tsx', SCRIPT], {
    cwd,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => String((JSON.parse(l) as { service: unknown }).service));
}

test('the nearest package.json of the entry script names the service, for every logger', () => {
  assert.deepEqual(services({}), ['fixture-service', 'fixture-service', 'fixture-service']);
});

test('started by npm (npm_package_name of another package) or from another directory: the same name', () => {
  assert.deepEqual(services({ npm_package_name: 'threadline' }), [
    'fixture-service',
    'fixture-service',
    'fixture-service',
  ]);
  assert.deepEqual(services({}, fileURLToPath(new URL('../', import.meta.url))), [
    'fixture-service',
    'fixture-service',
    'fixture-service',
  ]);
});

test('OTEL_SERVICE_NAME, then service.name in OTEL_RESOURCE_ATTRIBUTES, come first', () => {
  assert.deepEqual(services({ OTEL_SERVICE_NAME: 'from-env' }), ['from-env', 'from-env', 'from-env']);
  assert.deepEqual(
    services({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=from%20attrs' }),
    ['from attrs', 'from attrs', 'from attrs'],
  );
});
