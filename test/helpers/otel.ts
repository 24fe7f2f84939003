import { after, afterEach, before } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * Registers a real OpenTelemetry tracer provider with an in-memory exporter for the enclosing
 * suite (or file): installed before its tests, emptied after each, removed after all, so a test
 * outside it sees no provider. Returns the exporter to read finished spans from.
 */
export function useInMemoryTracing(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager();
  before(() => {
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(provider);
  });
  afterEach(() => exporter.reset());
  after(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });
  return exporter;
}
