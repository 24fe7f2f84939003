import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogLevel, LogSink } from '@threadline/core';
import type { Registry, RegistryContentType } from 'prom-client';
import { parsePromText } from '../../../test/helpers/prom-text.js';

/** A sink that keeps every line it receives. */
export function memorySink(): {
  sink: LogSink;
  lines: { level: LogLevel; fields: Record<string, unknown>; message: string }[];
} {
  const lines: { level: LogLevel; fields: Record<string, unknown>; message: string }[] = [];
  return { sink: { log: (level, fields, message) => lines.push({ level, fields, message }) }, lines };
}

/** The value of the one sample matching name and labels (undefined when there is none). */
export async function sampleValue(
  registry: Registry<RegistryContentType>,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const samples = parsePromText(await registry.metrics()).samples;
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Listens on an ephemeral loopback port and returns the base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server, ending idle keep-alive sockets so the test does not wait on them. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A key Object.prototype must never gain. */
export function assertPrototypeClean(keys: readonly string[] = ['polluted', 'isAdmin']): void {
  for (const key of keys) {
    if (key in Object.prototype || ({} as Record<string, unknown>)[key] !== undefined) {
      throw new Error(`Object.prototype was polluted with ${key}`);
    }
  }
}
