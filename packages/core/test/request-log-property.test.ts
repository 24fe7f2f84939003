import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { RequestLogProperty } from '@threadline/core/http';

const STATE = Symbol('state');

function stateFor(name: string) {
  return { owner: { logger: () => ({ name }) } };
}

test('the log property is put once on the framework prototype, and reads each object its own state', () => {
  const prop = new RequestLogProperty(STATE);
  const proto = {};
  const a = Object.create(proto) as Record<string | symbol, unknown>;
  const b = Object.create(proto) as Record<string | symbol, unknown>;
  a[STATE] = stateFor('a');
  b[STATE] = stateFor('b');
  prop.attach(a);
  prop.attach(b);
  assert.ok(Object.getOwnPropertyDescriptor(proto, 'log')?.get, 'a getter on the prototype');
  assert.equal(Object.hasOwn(a, 'log'), false);
  assert.deepEqual(a.log, { name: 'a' });
  assert.deepEqual(b.log, { name: 'b' });
  // Objects of the same prototype without state (requests another middleware answered) read nothing.
  assert.equal((Object.create(proto) as { log?: unknown }).log, undefined);
  assert.equal(Object.keys(a).includes('log'), false, 'not enumerable');
});

test('assigning log (pino-http after us) gives that object its own value; others keep the getter', () => {
  const prop = new RequestLogProperty(STATE);
  const proto = {};
  const a = Object.create(proto) as Record<string | symbol, unknown>;
  const b = Object.create(proto) as Record<string | symbol, unknown>;
  a[STATE] = stateFor('a');
  b[STATE] = stateFor('b');
  prop.attach(a);
  prop.attach(b);
  a.log = 'theirs';
  assert.equal(a.log, 'theirs');
  assert.deepEqual(b.log, { name: 'b' });
});

test('an own log assigned before us is replaced by ours; a fixed one is kept (attach throws)', () => {
  const prop = new RequestLogProperty(STATE);
  const proto = {};
  const earlier = Object.create(proto) as Record<string | symbol, unknown>;
  earlier[STATE] = stateFor('ours');
  earlier.log = 'earlier';
  prop.attach(earlier);
  assert.deepEqual(earlier.log, { name: 'ours' });
  const fixed = Object.create(proto) as Record<string | symbol, unknown>;
  Object.defineProperty(fixed, 'log', { value: 'fixed', writable: false, configurable: false });
  assert.throws(() => prop.attach(fixed));
  assert.equal(fixed.log, 'fixed');
});

test("the runtime's own prototypes, and prototypes that have a log, are never changed", () => {
  const prop = new RequestLogProperty(STATE, [IncomingMessage.prototype]);
  const req = new IncomingMessage(new Socket()) as IncomingMessage & Record<string | symbol, unknown>;
  req[STATE] = stateFor('req');
  prop.attach(req);
  assert.equal('log' in IncomingMessage.prototype, false);
  assert.deepEqual(req.log, { name: 'req' });
  const withLog = { log: 'framework' };
  const c = Object.create(withLog) as Record<string | symbol, unknown>;
  c[STATE] = stateFor('c');
  prop.attach(c);
  assert.equal(withLog.log, 'framework');
  assert.deepEqual(c.log, { name: 'c' });
});
