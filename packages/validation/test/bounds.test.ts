import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createValidator, type ValidationSchema } from '@threadline/validation';
import { Registry } from 'prom-client';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const schema: ValidationSchema = {
  version: 1,
  features: [
    { name: 'id', type: 'string', unique: true },
    { name: 'label', type: 'string', domain: ['a', 'b'] },
  ],
};

describe('bounded memory on bad input', () => {
  test('100 distinct 1 MB strings in a batch: results and samples keep none of them', async () => {
    const validator = createValidator({ schema, registry: new Registry(), logger: false });
    const big = (i: number) => `${String(i).padStart(3, '0')}${'v'.repeat(1 << 20)}`;
    const before = heapAfterGc();
    const rows = [];
    for (let i = 0; i < 100; i++) rows.push({ id: big(i), label: big(i) });
    const { result } = await validator.validateBatch(rows);
    // The rows are the caller's and are returned to it; what Threadline adds must not hold them.
    rows.length = 0;
    // The batch's own async steps let go of the rows on the next turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const grown = heapAfterGc() - before;
    assert.ok(grown < 2 ** 20, `heap grew by ${(grown / 2 ** 20).toFixed(2)} MiB while holding the result`);
    const text = JSON.stringify(result);
    assert.ok(text.length < 200_000, `the result is ${text.length} characters`);
    assert.ok(result.results.some((r) => r.feature === 'label' && !r.success));
  });
});
