// SIGTERM mid-stream with handleSignals(): not one line of winston lost, to stdout, to a pipe or to
// the logger's own file. Real child processes, real signals, every line counted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Destination, losses, runShutdown } from './shutdown-harness.js';

describe('winston: SIGTERM mid-stream with handleSignals', () => {
  for (const dest of ['stdout', 'pipe', 'file'] as Destination[]) {
    test(dest, async () => {
      const outcome = await runShutdown('winston', dest, 'threadline');
      assert.equal(outcome.code, 0, `clean exit (stopped in ${outcome.stopMs} ms): ${outcome.stderr}`);
      assert.ok(outcome.answered.length >= 1_000, 'the signal came mid-stream');
      assert.equal(
        outcome.calls,
        outcome.answered.length * outcome.perRequest,
        'in-flight requests were finished, not dropped',
      );
      assert.deepEqual(losses(outcome), { lost: 0, unlogged: 0, mislabelled: 0 });
    });
  }
});
