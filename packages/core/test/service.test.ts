import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FALLBACK_SERVICE_NAME, resolveServiceName, setServiceName } from '@threadline/core';

test('resolution order: option, setServiceName, OTEL_SERVICE_NAME, resource attributes, package.json, fallback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-service-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ranker-api' }));
    mkdirSync(join(dir, 'dist', 'bin'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'package.json'), JSON.stringify({ type: 'module' }), 'utf8');
    const entry = join(dir, 'dist', 'bin', 'server.js');
    const env = { OTEL_SERVICE_NAME: 'env-name', OTEL_RESOURCE_ATTRIBUTES: 'service.name=attr-name' };
    assert.equal(resolveServiceName('explicit', { env, entry }), 'explicit');
    const undo = setServiceName('telemetry-name');
    assert.equal(resolveServiceName(undefined, { env, entry }), 'telemetry-name');
    undo();
    assert.equal(resolveServiceName(undefined, { env, entry }), 'env-name');
    assert.equal(
      resolveServiceName(undefined, {
        env: { OTEL_RESOURCE_ATTRIBUTES: env.OTEL_RESOURCE_ATTRIBUTES },
        entry,
      }),
      'attr-name',
    );
    assert.equal(
      resolveServiceName(undefined, { env: {}, entry }),
      'ranker-api',
      'a package.json without a name is skipped',
    );
    assert.equal(resolveServiceName(undefined, { env: { npm_package_name: 'root' }, entry }), 'ranker-api');
    rmSync(join(dir, 'package.json'));
    assert.equal(resolveServiceName(undefined, { env: {}, entry }), FALLBACK_SERVICE_NAME);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
