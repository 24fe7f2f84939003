import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  continueTrace,
  formatTraceparent,
  injectTraceHeaders,
  isSampled,
  isValidTracestateKey,
  isValidTracestateValue,
  MAX_TRACESTATE_MEMBERS,
  newTrace,
  parseTraceparent,
  parseTracestate,
  propagationHeaders,
  runWithContext,
  withTraceHeaders,
} from '@threadline/core';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('traceparent', () => {
  // The specification's own examples and the invalid forms it names.
  const valid: [string, string, { traceId: string; parentId: string; flags: string; version: string }][] = [
    [
      'spec example, sampled',
      `00-${TRACE}-${PARENT}-01`,
      { version: '00', traceId: TRACE, parentId: PARENT, flags: '01' },
    ],
    [
      'spec example, not sampled',
      `00-${TRACE}-${PARENT}-00`,
      { version: '00', traceId: TRACE, parentId: PARENT, flags: '00' },
    ],
    [
      'W3C example 0af7...',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      {
        version: '00',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        parentId: 'b7ad6b7169203331',
        flags: '01',
      },
    ],
    [
      'Level 2 random flag',
      `00-${TRACE}-${PARENT}-03`,
      { version: '00', traceId: TRACE, parentId: PARENT, flags: '03' },
    ],
    [
      'future version with extra fields is read by its 00 prefix',
      `cc-${TRACE}-${PARENT}-01-what-the-future-will-be-like`,
      { version: 'cc', traceId: TRACE, parentId: PARENT, flags: '01' },
    ],
    [
      'future version without extra fields',
      `01-${TRACE}-${PARENT}-09`,
      { version: '01', traceId: TRACE, parentId: PARENT, flags: '09' },
    ],
    [
      'surrounding whitespace',
      `  00-${TRACE}-${PARENT}-01 `,
      { version: '00', traceId: TRACE, parentId: PARENT, flags: '01' },
    ],
  ];
  for (const [name, header, expected] of valid) {
    test(`valid: ${name}`, () => {
      assert.deepEqual(parseTraceparent(header), {
        version: expected.version,
        traceId: expected.traceId,
        parentId: expected.parentId,
        traceFlags: expected.flags,
      });
    });
  }

  const invalid: [string, unknown][] = [
    ['undefined', undefined],
    ['a number', 42],
    ['an array of headers', [`00-${TRACE}-${PARENT}-01`]],
    ['empty', ''],
    ['uppercase trace-id', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['uppercase parent-id', `00-${TRACE}-${PARENT.toUpperCase()}-01`],
    ['uppercase flags', `00-${TRACE}-${PARENT}-0A`],
    ['uppercase version', `0A-${TRACE}-${PARENT}-01`],
    ['all-zero trace-id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['all-zero parent-id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['non-hex version', `0g-${TRACE}-${PARENT}-01`],
    ['trace-id too short', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['trace-id too long', `00-${TRACE}0-${PARENT}-01`],
    ['parent-id too short', `00-${TRACE}-${PARENT.slice(1)}-01`],
    ['parent-id too long', `00-${TRACE}-${PARENT}0-01`],
    ['flags one digit', `00-${TRACE}-${PARENT}-1`],
    ['flags three digits', `00-${TRACE}-${PARENT}-001`],
    ['non-hex trace-id', `00-${TRACE.slice(0, 31)}g-${PARENT}-01`],
    ['underscore delimiters', `00_${TRACE}_${PARENT}_01`],
    ['dot delimiter', `00-${TRACE}.${PARENT}-01`],
    ['missing flags', `00-${TRACE}-${PARENT}`],
    ['version 00 with extra fields', `00-${TRACE}-${PARENT}-01-extra`],
    ['future version, extra data without a dash', `cc-${TRACE}-${PARENT}-01.what`],
    ['future version, too short', `cc-${TRACE}-${PARENT}-1`],
    ['inner whitespace', `00-${TRACE} -${PARENT}-01`],
  ];
  for (const [name, header] of invalid) {
    test(`invalid: ${name}`, () => {
      assert.equal(parseTraceparent(header), undefined);
    });
  }

  test('formatTraceparent round-trips', () => {
    const header = formatTraceparent(TRACE, PARENT, '01');
    assert.equal(header, `00-${TRACE}-${PARENT}-01`);
    assert.equal(parseTraceparent(header)?.traceId, TRACE);
  });
});

describe('tracestate', () => {
  const valid: [string, unknown, string][] = [
    ['spec example', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'],
    [
      'spec example, updated order',
      'congo=ucfJifl5GOE,rojo=00f067aa0ba902b7',
      'congo=ucfJifl5GOE,rojo=00f067aa0ba902b7',
    ],
    [
      'vendor names with digits',
      'vendorname1=opaqueValue1,vendorname2=opaqueValue2',
      'vendorname1=opaqueValue1,vendorname2=opaqueValue2',
    ],
    ['multi-tenant key', 'fw529a3039@dt=00f067aa0ba902b7', 'fw529a3039@dt=00f067aa0ba902b7'],
    ['tenant starting with a digit', '1tenant@sys=v', '1tenant@sys=v'],
    ['key with allowed punctuation', 'a_b-c*d/e=v', 'a_b-c*d/e=v'],
    ['OWS around members', ' rojo=1 ,\tcongo=2 ', 'rojo=1,congo=2'],
    ['empty members are dropped', 'rojo=1,,congo=2,', 'rojo=1,congo=2'],
    ['repeated header values are joined', ['rojo=1', 'congo=2'], 'rojo=1,congo=2'],
    ['inner space in a value', 'k=a b', 'k=a b'],
    ['trailing OWS after a value', 'k=v \t,x=1', 'k=v,x=1'],
    [
      'value with every other printable',
      'k=!"#$%&\'()*+-./:;<>?@[\\]^_`{|}~',
      'k=!"#$%&\'()*+-./:;<>?@[\\]^_`{|}~',
    ],
    ['key of 256 characters', `${'a'.repeat(256)}=v`, `${'a'.repeat(256)}=v`],
    ['value of 256 characters', `k=${'v'.repeat(256)}`, `k=${'v'.repeat(256)}`],
  ];
  // The key grammar of the current text: ( lcalpha / DIGIT ) 0*255( keychar ), keychar with "@".
  // Each of these was discarded by the Level 1 tenant@system grammar.
  const currentGrammar: [string, unknown, string][] = [
    ['key ending in @', 'foo@=1,bar=2', 'foo@=1,bar=2'],
    ['key with @@', 'foo@@bar=1,bar=2', 'foo@@bar=1,bar=2'],
    ['key with two @', 'foo@bar@baz=1,bar=2', 'foo@bar@baz=1,bar=2'],
    ['15 characters after @', 't@vvvvvvvvvvvvvvv=1', 't@vvvvvvvvvvvvvvv=1'],
    ['digit after @', 't@1sys=v', 't@1sys=v'],
    ['key starting with a digit, no @', '1abc=v', '1abc=v'],
    ['242 characters before @', `${'t'.repeat(242)}@v=1`, `${'t'.repeat(242)}@v=1`],
    [
      'key of 256 characters with @',
      `${'a'.repeat(200)}@${'b'.repeat(55)}=v`,
      `${'a'.repeat(200)}@${'b'.repeat(55)}=v`,
    ],
    [
      'all key characters with @',
      'abcdefghijklmnopqrstuvwxyz0123456789_-*/@a-z0-9_-*/=1',
      'abcdefghijklmnopqrstuvwxyz0123456789_-*/@a-z0-9_-*/=1',
    ],
    // Duplicated keys: inherited, one of them discarded (the left-most, most recent, entry stays).
    ['duplicated key, same value', 'foo=1,foo=1', 'foo=1'],
    ['duplicated key, other value', 'foo=1,foo=2', 'foo=1'],
    ['duplicated key across repeated headers', ['foo=1', 'foo=2'], 'foo=1'],
    ['duplicated key among others', 'rojo=1,congo=2,rojo=3', 'rojo=1,congo=2'],
  ];
  for (const [name, header, expected] of currentGrammar) {
    test(`valid (current text): ${name}`, () => {
      assert.equal(parseTracestate(header), expected);
    });
  }

  test('duplicates count toward the 32-member limit of the received list', () => {
    const header = [...Array.from({ length: 32 }, (_, i) => `k${i}=v${i}`), 'k0=again'].join(',');
    assert.equal(parseTracestate(header), undefined);
  });
  for (const [name, header, expected] of valid) {
    test(`valid: ${name}`, () => {
      assert.equal(parseTracestate(header), expected);
    });
  }

  test(`valid: exactly ${MAX_TRACESTATE_MEMBERS} members`, () => {
    const header = Array.from({ length: 32 }, (_, i) => `k${i}=v${i}`).join(',');
    assert.equal(parseTracestate(header), header);
  });

  const invalid: [string, unknown][] = [
    ['not a string', 7],
    ['only empty members', ' , ,'],
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v${i}`).join(',')],
    ['uppercase key', 'Rojo=1'],
    ['key starting with underscore', '_k=v'],
    ['key with a dot', 'a.b=v'],
    ['key of 257 characters', `${'a'.repeat(257)}=v`],
    ['key starting with @', '@sys=v'],
    ['key starting with @, valid member after it', '@foo=1,bar=2'],
    ['key of 257 characters with @', `${'a'.repeat(200)}@${'b'.repeat(56)}=v`],
    ['key with an uppercase letter after @', 'foo@Bar=1'],
    ['missing =', 'rojo'],
    ['empty key', '=v'],
    ['empty value', 'k='],
    ['value with =', 'k=a=b'],
    ['value ending in a no-break space (only SP and HTAB are OWS)', 'k=v\u00a0,x=1'],
    ['value with a control character', 'k=a\u0001b'],
    ['value with non-ASCII', 'k=caf\u00e9'],
    ['value of 257 characters', `k=${'v'.repeat(257)}`],
  ];
  for (const [name, header] of invalid) {
    test(`invalid: ${name}`, () => {
      assert.equal(parseTracestate(header), undefined);
    });
  }

  test('key and value validators follow the current grammar', () => {
    assert.equal(isValidTracestateKey('vendor'), true);
    assert.equal(isValidTracestateKey('tenant@vendor'), true);
    assert.equal(isValidTracestateKey('foo@'), true);
    assert.equal(isValidTracestateKey('9@@'), true);
    assert.equal(isValidTracestateKey(`a${'@'.repeat(255)}`), true);
    assert.equal(isValidTracestateKey(`a${'@'.repeat(256)}`), false);
    assert.equal(isValidTracestateKey('@a'), false);
    assert.equal(isValidTracestateKey('Vendor'), false);
    assert.equal(isValidTracestateKey(''), false);
    assert.equal(isValidTracestateValue('x'), true);
    assert.equal(isValidTracestateValue('x '), false);
    assert.equal(isValidTracestateValue(''), false);
    assert.equal(isValidTracestateValue('a,b'), false);
  });
});

describe('continueTrace and newTrace', () => {
  test('continues a valid parent: same trace-id and flags, a new span id, tracestate kept', () => {
    for (const flags of ['00', '01', '02', '03']) {
      const t = continueTrace(`00-${TRACE}-${PARENT}-${flags}`, 'rojo=1, congo=2');
      assert.equal(t.traceId, TRACE);
      assert.equal(t.parentId, PARENT);
      assert.equal(t.traceFlags, flags);
      assert.match(t.spanId, /^[0-9a-f]{16}$/);
      assert.notEqual(t.spanId, PARENT);
      assert.equal(t.tracestate, 'rojo=1,congo=2');
    }
  });

  test('a future version continues with only the version-00 flag bits', () => {
    const t = continueTrace(`cc-${TRACE}-${PARENT}-ff-extra`);
    assert.equal(t.traceId, TRACE);
    assert.equal(t.traceFlags, '03');
  });

  test('an invalid tracestate is dropped, the parent is still continued', () => {
    const t = continueTrace(`00-${TRACE}-${PARENT}-01`, 'Bad=1');
    assert.equal(t.traceId, TRACE);
    assert.equal(t.tracestate, undefined);
  });

  test('absent or invalid traceparent starts a new sampled root trace, never throws', () => {
    for (const header of [
      undefined,
      '',
      'garbage',
      `00-${'0'.repeat(32)}-${PARENT}-01`,
      [`00-${TRACE}-${PARENT}-01`],
      {},
    ]) {
      const t = continueTrace(header, 'rojo=1');
      assert.match(t.traceId, /^[0-9a-f]{32}$/);
      assert.notEqual(t.traceId, TRACE);
      assert.equal(t.parentId, undefined);
      assert.equal(t.tracestate, undefined, 'tracestate without a valid parent is dropped');
      assert.equal(t.traceFlags, '03');
    }
    assert.equal(continueTrace(undefined, undefined, { sampled: false }).traceFlags, '02');
  });

  test('new traces are unique and never all zero', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = newTrace();
      assert.ok(parseTraceparent(formatTraceparent(t.traceId, t.spanId, t.traceFlags)));
      seen.add(t.traceId);
    }
    assert.equal(seen.size, 2000);
  });

  test('isSampled reads bit 0', () => {
    assert.equal(isSampled('01'), true);
    assert.equal(isSampled('03'), true);
    assert.equal(isSampled('02'), false);
    assert.equal(isSampled('00'), false);
    assert.equal(isSampled(undefined), false);
  });
});

describe('outgoing propagation', () => {
  const ctx = {
    request_id: 'req-123',
    trace_id: TRACE,
    span_id: 'b7ad6b7169203331',
    trace_flags: '01',
    tracestate: 'rojo=00f067aa0ba902b7',
  };

  function checkTraceparent(value: unknown): void {
    const parsed = parseTraceparent(value);
    assert.ok(parsed, `valid traceparent: ${String(value)}`);
    assert.equal(parsed.traceId, TRACE);
    assert.equal(parsed.traceFlags, '01');
    assert.notEqual(parsed.parentId, ctx.span_id, 'the outgoing call gets a child span id');
  }

  test('propagationHeaders: traceparent child, tracestate and request id; empty outside a context', () => {
    assert.deepEqual(propagationHeaders(), {});
    runWithContext(ctx, () => {
      const h = propagationHeaders();
      checkTraceparent(h.traceparent);
      assert.equal(h.tracestate, 'rojo=00f067aa0ba902b7');
      assert.equal(h['x-request-id'], 'req-123');
      const a = propagationHeaders().traceparent;
      const b = propagationHeaders().traceparent;
      assert.notEqual(a, b, 'each outgoing call is its own child');
      assert.deepEqual(Object.keys(propagationHeaders({ requestId: false })).sort(), [
        'traceparent',
        'tracestate',
      ]);
      assert.equal(
        propagationHeaders({ requestIdHeader: 'x-correlation-id' })['x-correlation-id'],
        'req-123',
      );
    });
  });

  test('injectTraceHeaders into fetch Headers keeps what the caller set', () => {
    runWithContext(ctx, () => {
      const headers = new Headers({ 'X-Request-Id': 'callers-own' });
      assert.equal(injectTraceHeaders(headers), headers);
      checkTraceparent(headers.get('traceparent'));
      assert.equal(headers.get('tracestate'), 'rojo=00f067aa0ba902b7');
      assert.equal(headers.get('x-request-id'), 'callers-own');
    });
  });

  test('injectTraceHeaders into a plain object matches existing names case-insensitively', () => {
    runWithContext(ctx, () => {
      const headers: Record<string, string> = { Traceparent: 'keep-me', accept: 'application/json' };
      injectTraceHeaders(headers);
      assert.equal(headers.Traceparent, 'keep-me');
      assert.equal(headers.traceparent, undefined);
      assert.equal(headers.tracestate, 'rojo=00f067aa0ba902b7');
      assert.equal(headers['x-request-id'], 'req-123');
      assert.equal(headers.accept, 'application/json');
    });
  });

  test('withTraceHeaders returns a new init with the headers and the rest kept', () => {
    const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    const out = runWithContext(ctx, () => withTraceHeaders(init));
    assert.equal(out.method, 'POST');
    assert.equal(out.body, '{}');
    const headers = new Headers(out.headers);
    assert.equal(headers.get('content-type'), 'application/json');
    checkTraceparent(headers.get('traceparent'));
    assert.deepEqual(init.headers, { 'content-type': 'application/json' }, 'the caller’s init is untouched');
  });

  describe('against a real server', () => {
    let server: Server;
    let port: number;
    before(async () => {
      server = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(req.headers));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('http.ClientRequest carries the headers', async () => {
      const echoed = await runWithContext(
        ctx,
        () =>
          new Promise<IncomingHttpHeaders>((resolve, reject) => {
            const req = httpRequest({ host: '127.0.0.1', port, path: '/', method: 'GET' }, (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => {
                body += c;
              });
              res.on('end', () => resolve(JSON.parse(body) as IncomingHttpHeaders));
            });
            req.on('error', reject);
            req.setHeader('x-request-id', 'set-by-caller');
            injectTraceHeaders(req);
            req.end();
          }),
      );
      checkTraceparent(echoed.traceparent);
      assert.equal(echoed.tracestate, 'rojo=00f067aa0ba902b7');
      assert.equal(echoed['x-request-id'], 'set-by-caller');
    });

    test('fetch with withTraceHeaders carries the headers', async () => {
      const echoed = await runWithContext(ctx, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/`, withTraceHeaders());
        return (await res.json()) as IncomingHttpHeaders;
      });
      checkTraceparent(echoed.traceparent);
      assert.equal(echoed['x-request-id'], 'req-123');
    });
  });
});
