// Every line carries the request, trace and model of the context it was written in.
import { runWithContext, setContext } from '@threadline/core';
import { createPinoLogger } from '@threadline/pino';

const logger = createPinoLogger({ service: 'recommender' });

logger.info('service started');
await runWithContext({ request_id: 'req-42', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, async () => {
  setContext({ model: { name: 'ranker', version: '1.4.0' } });
  await new Promise((resolve) => setTimeout(resolve, 1));
  logger.info({ event: 'model_inference', input_size: 128, inference_time_ms: 56 }, 'scored');
  logger.warn({ req: { headers: { authorization: 'Bearer secret' } } }, 'login attempt');
  logger.error({ err: new Error('model file missing') }, 'prediction failed');
});
