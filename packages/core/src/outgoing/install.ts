import { ThreadlineConfigError } from '../errors.js';
import { instrumentHttp } from './http.js';
import { type OutgoingOptions, resolveOutgoingOptions } from './options.js';
import { CallRecorder } from './record.js';
import { instrumentUndici } from './undici.js';

// One installation per process, even with two copies of core loaded: both would add the headers
// and count every call twice.
const INSTALLED = Symbol.for('threadline.core.outgoing.v1');
type GlobalWithInstall = typeof globalThis & { [INSTALLED]?: boolean };

/**
 * Makes every outgoing `fetch` (undici) and `node:http`/`node:https` request carry the context's
 * `traceparent`, `tracestate`, request ID and baggage (to the destinations `propagateTo` allows),
 * records `http_client_request_duration_seconds`, and logs each failed or slow call with the
 * caller's IDs. Callers change nothing. Throws `ThreadlineConfigError` on bad options or when
 * already installed. Returns the undo.
 */
export function installOutgoingPropagation(options?: OutgoingOptions): () => void {
  const resolved = resolveOutgoingOptions(options);
  const g = globalThis as GlobalWithInstall;
  if (g[INSTALLED]) {
    throw new ThreadlineConfigError(
      'core.outgoing',
      'outgoing propagation is already installed; call the undo it returned first',
    );
  }
  const recorder = new CallRecorder(resolved);
  const undos: (() => void)[] = [];
  if (resolved.fetch) undos.push(instrumentUndici(resolved, recorder));
  if (resolved.http) undos.push(instrumentHttp(resolved, recorder));
  g[INSTALLED] = true;
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    for (const undo of undos) undo();
    g[INSTALLED] = false;
  };
}
