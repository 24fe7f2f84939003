// Every line carries the request, trace and model of the context it was written in.
import { runWithContext, setContext } from '@threadline/core';
import { createLogger } from '@threadline/winston';

const logger = createLogger({ service: 'recommender' });

logger.info('service started');
await runWithContext({ request_id: 'req-42', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, async () => {
  setContext({ model: { name: 'ranker', version: '1.4.0' } });
  await new Promise((resolve) => setTimeout(resolve, 1));
  logger.info('scored', { event: 'model_inference', input_size: 128, inference_time_ms: 56 });
  logger.warn('login attempt', { headers: { authorization: 'Bearer secret' } });
  logger.error('prediction failed', { err: new Error('model file missing') });
});
