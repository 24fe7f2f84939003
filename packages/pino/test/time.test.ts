import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoTime } from '../src/time.js';

test('isoTime is a pino time function: the "time" key and the current time', () => {
  const before = Date.now();
  const text = isoTime();
  const after = Date.now();
  const m = /^,"time":"(.+)"$/.exec(text);
  assert.ok(m, text);
  const t = Date.parse(m[1]!);
  assert.ok(t >= before && t <= after, `${m[1]} within [${before}, ${after}]`);
});
