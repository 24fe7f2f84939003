import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CONTEXT_LOG_FIELDS,
  captureLogFields,
  contextSpanAttributes,
  getContext,
  logFields,
  RESERVED_LOG_FIELDS,
  runWithContext,
  SPAN_CONTEXT_ATTRIBUTES,
  setAttribute,
  setContext,
} from '@threadline/core';

const FULL = {
  request_id: 'r',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  trace_flags: '01',
  model: { name: 'ranker', version: '1', alias: 'champion' },
  run_id: 'run-1',
  job: 'nightly',
};

test('one list of context fields: the reserved set, the log fields and the span attributes agree', () => {
  assert.deepEqual([...RESERVED_LOG_FIELDS].sort(), [...CONTEXT_LOG_FIELDS].sort());
  runWithContext(FULL, () => {
    assert.deepEqual(Object.keys(logFields()).sort(), [...CONTEXT_LOG_FIELDS].sort());
    const attributes = contextSpanAttributes(getContext()!);
    assert.deepEqual(Object.keys(attributes).sort(), [...SPAN_CONTEXT_ATTRIBUTES].sort());
    for (const key of SPAN_CONTEXT_ATTRIBUTES) assert.ok(CONTEXT_LOG_FIELDS.includes(key));
  });
});

test('captureLogFields: one frozen snapshot per context revision, never a child’s', () => {
  runWithContext({ request_id: 'parent' }, () => {
    const first = captureLogFields();
    assert.equal(captureLogFields(), first, 'cached while the context is unchanged');
    assert.ok(Object.isFrozen(first));
    setContext({ model: { name: 'm', version: '2' } });
    const second = captureLogFields();
    assert.notEqual(second, first);
    assert.equal(second.model_version, '2');
    assert.equal(first.model_version, undefined, 'an earlier snapshot is not changed');
    setAttribute('tenant', 't');
    assert.equal(captureLogFields().tenant, 't');
    runWithContext({ request_id: 'child' }, () => {
      assert.equal(captureLogFields().request_id, 'child');
    });
    assert.equal(captureLogFields().request_id, 'parent');
  });
  assert.deepEqual(captureLogFields(), {});
});
