import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getContext, ThreadlineConfigError } from '@threadline/core';
import ts from 'typescript';
import { currentRun, trackTraining } from '../src/index.js';
import { captureSink, iris, SoftmaxRegression } from './helpers.js';

const sink = captureSink();

class IrisTrainer {
  readonly lr: number;
  constructor(lr: number) {
    this.lr = lr;
  }

  @trackTraining({ experiment: 'iris-decorated', logger: sink, progress: false })
  async train(epochs: number): Promise<{ loss: number; runId: string | undefined; self: boolean }> {
    const run = currentRun()!;
    run.logParams({ lr: this.lr, epochs });
    const data = iris();
    const model = new SoftmaxRegression(4, 3);
    let last = { loss: Number.NaN, accuracy: 0 };
    for (let e = 0; e < epochs; e++) {
      await run.epoch(e, () => {
        model.step(data.x, data.y, this.lr);
        last = model.evaluate(data.x, data.y);
        return last;
      });
    }
    return { loss: last.loss, runId: getContext()?.run_id, self: this instanceof IrisTrainer };
  }

  @trackTraining((self, args) => ({
    experiment: `per-call-${(self as PerCall).name}`,
    runId: `run-${String(args[0])}`,
    logger: sink,
    progress: false,
  }))
  async named(id: number): Promise<string | undefined> {
    currentRun()?.logParams({ id });
    return currentRun()?.runId;
  }

  @trackTraining({ experiment: 'decorated-fail', logger: sink, progress: false })
  async broken(): Promise<void> {
    throw new RangeError('bad shape');
  }
}

class PerCall extends IrisTrainer {
  readonly name = 'pc';
}

test('a standard decorator makes each call of a method a run, with this and args intact', async () => {
  const trainer = new IrisTrainer(0.5);
  const a = await trainer.train(8);
  const b = await trainer.train(2);
  assert.equal(a.self, true);
  assert.ok(a.runId && b.runId && a.runId !== b.runId);
  const epochs = sink.events('training_epoch').filter((l) => l.run_id === a.runId);
  assert.equal(epochs.length, 8);
  const losses = epochs.map((l) => l.loss as number);
  assert.ok(
    losses.every((l, i) => i === 0 || l < losses[i - 1]!),
    `loss must decrease: ${losses}`,
  );
  assert.equal(epochs[0]!.experiment, 'iris-decorated');
  assert.deepEqual(sink.events('training_params').find((l) => l.run_id === a.runId)!.params, {
    lr: 0.5,
    epochs: 8,
  });
  assert.equal(currentRun(), undefined);
});

test('decorator options can be built per call from the instance and the arguments', async () => {
  const id = await new PerCall(0.1).named(7);
  assert.equal(id, 'run-7');
  const started = sink.events('training_started').find((l) => l.run_id === 'run-7')!;
  assert.equal(started.experiment, 'per-call-pc');
});

test('a decorated method that throws fails its run and the error reaches the caller', async () => {
  await assert.rejects(new IrisTrainer(0.1).broken(), RangeError);
  const failed = sink.events('training_failed').find((l) => l.experiment === 'decorated-fail')!;
  assert.equal(failed.error_type, 'RangeError');
  assert.equal(failed.error_message, 'bad shape');
});

test('bad static decorator options fail when the class is defined', () => {
  assert.throws(() => {
    class Bad {
      @trackTraining({ experiment: '' })
      async go(): Promise<void> {}
    }
    return Bad;
  }, /experiment must be a non-empty string/);
});

/** Compiles a class the way TypeScript does with the given decorator setting, and defines it. */
function defineCompiled(experimentalDecorators: boolean): () => unknown {
  const source = `
    class Legacy {
      @trackTraining({ experiment: 'legacy', logger: sink, progress: false })
      async train() { return 1; }
    }
    return Legacy;
  `;
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators },
  });
  return () => new Function('trackTraining', 'sink', outputText)(trackTraining, sink);
}

test("under TypeScript's experimentalDecorators the decorator fails when the class is defined, saying why", () => {
  assert.throws(
    defineCompiled(true),
    (e: unknown) =>
      e instanceof ThreadlineConfigError &&
      e.code === 'TL_CONFIG' &&
      /@trackTraining is a standard \(TC39\) decorator/.test(e.message) &&
      /experimentalDecorators/.test(e.message) &&
      /Legacy\.train|train/.test(e.message) &&
      /wrapTraining/.test(e.message),
  );
});

test('the same class compiled with standard decorators works', async () => {
  const Compiled = defineCompiled(false)() as new () => { train(): Promise<number> };
  assert.equal(await new Compiled().train(), 1);
  assert.equal(sink.events('training_finished').filter((l) => l.experiment === 'legacy').length, 1);
});

test('on anything but a method the decorator says what it was given', () => {
  const decorate = trackTraining({ experiment: 'field', progress: false }) as unknown as (
    value: unknown,
    context: unknown,
  ) => unknown;
  assert.throws(
    () => decorate(undefined, { kind: 'field', name: 'lr' }),
    /@trackTraining decorates class methods only, not a field \(lr\)/,
  );
});
