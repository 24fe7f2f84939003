import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  bindContext,
  bindEmitter,
  getContext,
  logFields,
  parseTraceparent,
  runWithContext,
  setAttribute,
  setContext,
  startJob,
} from '@threadline/core';

describe('context isolation', () => {
  test('5,000 overlapping flows never see each other', async () => {
    const FLOWS = 5000;
    let checks = 0;
    const wrong: string[] = [];
    const check = (id: string, step: string): void => {
      checks++;
      const seen = getContext()?.request_id;
      if (seen !== id) wrong.push(`${id}@${step} saw ${String(seen)}`);
    };

    // Emitters are fired by a dispatcher that runs outside every flow, as a native handle or a
    // connection pool would: only bindEmitter carries the flow's context to the listener.
    const pending: (() => void)[] = [];
    const dispatcher = setInterval(() => {
      for (const fire of pending.splice(0)) fire();
    }, 1);
    let unboundSeen: unknown = 'not run';

    async function flow(i: number): Promise<void> {
      const id = `req-${i}`;
      check(id, 'start');
      await null;
      check(id, 'await');
      await sleep(i % 4);
      check(id, 'setTimeout');
      await new Promise<void>((resolve) => setImmediate(resolve));
      check(id, 'setImmediate');

      if (i % 2 === 0) setContext({ model: { name: 'ranker', version: String(i) } });

      await Promise.resolve(i)
        .then((n) => {
          check(id, 'then');
          return n + 1;
        })
        .then(async (n) => {
          await sleep(0);
          check(id, 'then-async');
          return n;
        });

      const emitter = new EventEmitter();
      bindEmitter(emitter);
      await new Promise<void>((resolve) => {
        emitter.once('tick', () => {
          check(id, 'emitter');
          resolve();
        });
        pending.push(() => emitter.emit('tick'));
      });
      if (i === 0) {
        const plain = new EventEmitter();
        await new Promise<void>((resolve) => {
          plain.once('tick', () => {
            unboundSeen = getContext()?.request_id;
            resolve();
          });
          pending.push(() => plain.emit('tick'));
        });
      }

      const chunks: string[] = [];
      await pipeline(
        Readable.from(['a', 'b', 'c']),
        new Transform({
          objectMode: true,
          transform(chunk: string, _enc, cb) {
            check(id, 'transform');
            setImmediate(() => cb(null, chunk.toUpperCase()));
          },
        }),
        new Writable({
          objectMode: true,
          write(chunk: string, _enc, cb) {
            check(id, 'writable');
            chunks.push(chunk);
            cb();
          },
        }),
      );
      assert.deepEqual(chunks, ['A', 'B', 'C']);
      check(id, 'after-pipeline');

      const model = getContext()?.model;
      if (i % 2 === 0 ? model?.version !== String(i) : model !== undefined) {
        wrong.push(`${id} model ${JSON.stringify(model)}`);
      }
    }

    try {
      await Promise.all(
        Array.from({ length: FLOWS }, (_, i) =>
          runWithContext({ request_id: `req-${i}` }, () => flow(i), { inherit: false }),
        ),
      );
    } finally {
      clearInterval(dispatcher);
    }
    assert.deepEqual(wrong.slice(0, 10), []);
    // 14 checks per flow (3 transform + 3 writable): proves every step really ran.
    assert.equal(checks, FLOWS * 14);
    assert.equal(unboundSeen, undefined, 'an unbound emitter fired by the dispatcher has no context');
    assert.equal(getContext(), undefined);
  });
});

describe('context API', () => {
  test('getContext is undefined outside, setContext and setAttribute are no-ops there', () => {
    assert.equal(getContext(), undefined);
    assert.equal(setContext({ request_id: 'x' }), false);
    assert.equal(setAttribute('a', 1), false);
    assert.deepEqual(logFields(), {});
  });

  test('runWithContext returns the function result and inherits by default', async () => {
    const result = runWithContext({ request_id: 'outer', attributes: { tenant: 'a' } }, () =>
      runWithContext({ run_id: 'run-1', attributes: { step: 2 } }, () => {
        const ctx = getContext()!;
        assert.equal(ctx.request_id, 'outer');
        assert.equal(ctx.run_id, 'run-1');
        assert.deepEqual(ctx.attributes, { tenant: 'a', step: 2 });
        return 42;
      }),
    );
    assert.equal(result, 42);
  });

  test('a child does not write into its parent; inherit:false starts a fresh root', () => {
    runWithContext({ request_id: 'parent', attributes: { a: 1 } }, () => {
      runWithContext({ request_id: 'child' }, () => {
        setContext({ run_id: 'child-run', attributes: { b: 2 } });
      });
      assert.equal(getContext()?.request_id, 'parent');
      assert.equal(getContext()?.run_id, undefined);
      assert.deepEqual(getContext()?.attributes, { a: 1 });
      runWithContext(
        { run_id: 'r' },
        () => {
          assert.equal(getContext()?.request_id, undefined);
          assert.deepEqual(getContext()?.attributes, {});
        },
        { inherit: false },
      );
    });
  });

  test('undefined fields do not erase inherited ones; setContext may clear a field', () => {
    runWithContext({ request_id: 'keep', run_id: 'run' }, () => {
      runWithContext({ request_id: undefined }, () => {
        assert.equal(getContext()?.request_id, 'keep');
        setContext({ run_id: undefined });
        assert.equal(getContext()?.run_id, undefined);
      });
    });
  });

  test('setContext is seen by later steps of the same flow, not by a sibling', async () => {
    const a = runWithContext({ request_id: 'a' }, async () => {
      await sleep(1);
      setContext({ model: { name: 'm', version: '7', alias: 'champion' } });
      setAttribute('feature_set', 'v2');
      await sleep(1);
      return logFields();
    });
    const b = runWithContext({ request_id: 'b' }, async () => {
      await sleep(3);
      return logFields();
    });
    const [fa, fb] = await Promise.all([a, b]);
    assert.deepEqual(fa, {
      feature_set: 'v2',
      request_id: 'a',
      model_name: 'm',
      model_version: '7',
      model_alias: 'champion',
    });
    assert.deepEqual(fb, { request_id: 'b' });
  });

  test('attributes never overwrite reserved log fields', () => {
    runWithContext({ request_id: 'real', attributes: { request_id: 'fake', custom: 1 } }, () => {
      assert.equal(logFields().request_id, 'real');
      assert.equal(logFields().custom, 1);
    });
  });

  test('bindContext runs a callback in the context current when it was bound', async () => {
    const queue: (() => string | undefined)[] = [];
    runWithContext({ request_id: 'bound' }, () => {
      queue.push(bindContext(() => getContext()?.request_id));
      queue.push(() => getContext()?.request_id);
    });
    const results = await runWithContext({ request_id: 'caller' }, async () => {
      await sleep(0);
      return queue.map((fn) => fn());
    });
    assert.deepEqual(results, ['bound', 'caller']);
    // Outside any context, bindContext returns the function itself.
    const fn = (): number => 1;
    assert.equal(bindContext(fn), fn);
  });

  test('bindContext keeps this and arguments', () => {
    const obj = {
      base: 10,
      add: undefined as unknown as (n: number) => number,
    };
    runWithContext({ request_id: 'r' }, () => {
      obj.add = bindContext(function (this: { base: number }, n: number) {
        return this.base + n + (getContext()?.request_id === 'r' ? 100 : 0);
      });
    });
    assert.equal(obj.add(5), 115);
  });

  test('bindEmitter returns an undo, and rebinding replaces the old binding', () => {
    const emitter = new EventEmitter();
    const seen: (string | undefined)[] = [];
    emitter.on('e', () => seen.push(getContext()?.request_id));
    const undoA = runWithContext({ request_id: 'a' }, () => bindEmitter(emitter));
    emitter.emit('e');
    const undoB = runWithContext({ request_id: 'b' }, () => bindEmitter(emitter));
    emitter.emit('e');
    undoB();
    emitter.emit('e');
    undoA();
    assert.deepEqual(seen, ['a', 'b', undefined]);
    assert.equal(emitter.emit, EventEmitter.prototype.emit);
    // Outside a context there is nothing to bind.
    const other = new EventEmitter();
    bindEmitter(other)();
    assert.equal(other.emit, EventEmitter.prototype.emit);
  });
});

describe('startJob', () => {
  test('a job gets its name, a fresh sampled trace and the given fields, outside any request', async () => {
    const seen = await runWithContext({ request_id: 'req', trace_id: 'a'.repeat(32) }, () =>
      startJob(
        'nightly-retrain',
        async () => {
          await sleep(1);
          return { ctx: getContext()!, fields: logFields() };
        },
        { run_id: 'run-42', model: { name: 'churn', version: '3' } },
      ),
    );
    assert.equal(seen.ctx.job, 'nightly-retrain');
    assert.equal(seen.ctx.request_id, undefined, 'a job does not inherit the request');
    assert.notEqual(seen.ctx.trace_id, 'a'.repeat(32));
    assert.ok(parseTraceparent(`00-${seen.ctx.trace_id}-${seen.ctx.span_id}-${seen.ctx.trace_flags}`));
    assert.equal(seen.ctx.trace_flags, '03');
    assert.equal(seen.fields.run_id, 'run-42');
    assert.equal(seen.fields.job, 'nightly-retrain');
    assert.equal(seen.fields.model_name, 'churn');
  });

  test('two jobs get different traces, and sampled:false clears the sampled flag', () => {
    const a = startJob('a', () => getContext()!.trace_id);
    const b = startJob('b', () => getContext()!.trace_id);
    assert.notEqual(a, b);
    assert.equal(
      startJob('c', () => getContext()!.trace_flags, { sampled: false }),
      '02',
    );
  });
});
