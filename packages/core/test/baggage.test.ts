import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  configureBaggage,
  createRegistry,
  type DiagEvent,
  formatBaggage,
  getBaggage,
  jsonLineSink,
  MAX_BAGGAGE_BYTES,
  onDiag,
  parseBaggage,
  propagationHeaders,
  runWithContext,
  setBaggage,
} from '@threadline/core';
import { HttpInstrumentation, resolveHttpOptions } from '@threadline/core/http';

describe('parseBaggage (W3C Baggage)', () => {
  test('the specification’s examples: values decoded, properties kept', () => {
    const { members, malformed } = parseBaggage(
      'key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue',
    );
    assert.equal(malformed, 0);
    assert.deepEqual(members.key1, { value: 'value1', properties: 'property1;property2' });
    assert.deepEqual(members.key2, { value: 'value2' });
    assert.deepEqual(members.key3, { value: 'value3', properties: 'propertyKey=propertyValue' });
    assert.equal(parseBaggage('userId=Am%C3%A9lie,serverNode=DF%2028').members.userId?.value, 'Amélie');
    assert.equal(parseBaggage('serverNode=DF%2028').members.serverNode?.value, 'DF 28');
  });

  test('repeated headers are one list; a repeated key keeps its last value', () => {
    const { members } = parseBaggage(['a=1,b=2', 'a=3']);
    assert.deepEqual({ a: members.a?.value, b: members.b?.value }, { a: '3', b: '2' });
  });

  test('malformed members are dropped one by one and counted; the rest is kept', () => {
    const parsed = parseBaggage('good=1,no-equals,bad key=1,q="quoted",pct=%zz,semi=1;bad prop,=v,ok=2');
    assert.deepEqual(Object.keys(parsed.members).sort(), ['good', 'ok']);
    assert.equal(parsed.malformed, 6);
  });

  test('180 members and 8192 bytes at most; the rest is dropped whole and counted as over the limit', () => {
    const many = Array.from({ length: 200 }, (_, i) => `k${i}=v`).join(',');
    const a = parseBaggage(many);
    assert.equal(Object.keys(a.members).length, 180);
    assert.equal(a.overLimit, 20);
    const big = Array.from({ length: 10 }, (_, i) => `k${i}=${'x'.repeat(1000)}`).join(',');
    const b = parseBaggage(big);
    assert.equal(Object.keys(b.members).length, 8);
    assert.equal(b.overLimit, 2);
    const none = parseBaggage(undefined);
    assert.deepEqual([Object.keys(none.members).length, none.malformed, none.overLimit], [0, 0, 0]);
    assert.equal(parseBaggage(42).malformed, 0);
  });

  test('formatBaggage encodes what the grammar forbids and stays within the limits', () => {
    assert.equal(formatBaggage({ user: { value: 'Amélie, "x"' } }), 'user=Am%C3%A9lie%2C%20%22x%22');
    assert.equal(
      parseBaggage(formatBaggage({ k: { value: 'a;b=c,d\\e%' } })).members.k?.value,
      'a;b=c,d\\e%',
    );
    const out = formatBaggage(
      Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, { value: 'x'.repeat(50) }])),
    );
    assert.ok(out && Buffer.byteLength(out) <= MAX_BAGGAGE_BYTES);
    assert.ok(
      out.split(',').every((m) => /^k\d+=x{50}$/.test(m)),
      'no partial member',
    );
    assert.equal(formatBaggage({}), undefined);
  });

  test('setBaggage and getBaggage on the context; propagationHeaders forwards it', () => {
    assert.equal(setBaggage({ a: '1' }), false);
    runWithContext({ request_id: 'r' }, () => {
      setBaggage({ tenant: 'acme', drop: 'x' });
      setBaggage({ drop: undefined });
      assert.deepEqual(Object.keys(getBaggage()), ['tenant']);
      assert.equal(propagationHeaders().baggage, 'tenant=acme');
      assert.equal(propagationHeaders({ baggage: false }).baggage, undefined);
    });
  });

  test('configureBaggage rejects bad options at setup', () => {
    assert.throws(() => configureBaggage({ logFields: ['bad key'] }), /invalid baggage key/);
    assert.throws(() => configureBaggage({ logFields: { k: 'Bad-Field' } }), /invalid log field/);
    assert.throws(() => configureBaggage({ maxLogValueLength: 0 }), /maxLogValueLength/);
    assert.throws(() => configureBaggage({ nope: 1 } as never), /unknown option/);
  });
});

describe('incoming baggage on a real server', () => {
  const registry = createRegistry();
  const lines: Record<string, unknown>[] = [];
  const diags: DiagEvent[] = [];
  let server: Server;
  let url = '';
  let undoConfig: () => void;
  let undoDiag: () => void;

  before(async () => {
    undoConfig = configureBaggage({
      logFields: { tenant: 'tenant', note: 'upstream_note' },
      maxLogValueLength: 16,
    });
    undoDiag = onDiag((e) => diags.push(e));
    const http = new HttpInstrumentation(
      resolveHttpOptions('test', {
        registry,
        logger: jsonLineSink({ write: (s: string) => lines.push(JSON.parse(s)) }, { service: 't' }),
      }),
      () => '/r',
    );
    server = createServer((req, res) =>
      http.run(req, res, undefined, () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(getBaggage()));
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r`;
  });

  after(async () => {
    undoConfig();
    undoDiag();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  async function call(baggage: string): Promise<{ status: number; body: Record<string, { value: string }> }> {
    lines.length = 0;
    const res = await fetch(url, { headers: { baggage } });
    const body = (await res.json()) as Record<string, { value: string }>;
    for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    return { status: res.status, body };
  }

  async function dropped(reason: string): Promise<number> {
    const m = (await registry.metrics()).match(
      new RegExp(`threadline_baggage_members_dropped_total\\{reason="${reason}"\\} (\\d+)`),
    );
    return m ? Number(m[1]) : 0;
  }

  test('good members reach the context; allow-listed keys, and only they, reach the access line', async () => {
    const { status, body } = await call('tenant=acme,secret=s3cr3t,note=hello');
    assert.equal(status, 200);
    assert.equal(body.tenant?.value, 'acme');
    assert.equal(lines[0]!.tenant, 'acme');
    assert.equal(lines[0]!.upstream_note, 'hello');
    assert.equal(
      JSON.stringify(lines[0]).includes('s3cr3t'),
      false,
      'a key not allow-listed never reaches a log line',
    );
  });

  test('malformed members are dropped, counted and warned; the request still succeeds', async () => {
    const before = await dropped('malformed');
    const { status, body } = await call('ok=1,bad member,x="y",pct=%E0%A4%A');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), ['ok']);
    assert.equal((await dropped('malformed')) - before, 3);
    assert.ok(diags.some((d) => d.code === 'TL_BAD_HEADER' && d.component === 'core.baggage'));
  });

  test('an oversized header is cut at the limit, counted, and never breaks the request', async () => {
    const before = await dropped('limit');
    const big = Array.from({ length: 400 }, (_, i) => `k${i}=${'v'.repeat(20)}`).join(',');
    const { status, body } = await call(big);
    assert.equal(status, 200);
    assert.equal(Object.keys(body).length, 180);
    assert.equal((await dropped('limit')) - before, 220);
  });

  test('hostile characters: encoded line breaks and quotes never forge a log line; long values are cut', async () => {
    const { status } = await call(
      `tenant=${encodeURIComponent('x\r\n{"level":"error","message":"forged"}')},note=${'n'.repeat(100)}`,
    );
    assert.equal(status, 200);
    assert.equal(lines.length, 1, 'one access line, no forged one');
    const tenant = String(lines[0]!.tenant);
    assert.equal(/[\r\n]/.test(tenant), false);
    assert.equal(tenant.length, 16);
    assert.equal(String(lines[0]!.upstream_note).length, 16);
  });
});
