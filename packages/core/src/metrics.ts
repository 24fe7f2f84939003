// The metrics layer lives in ./metrics/; this file keeps the `./metrics.js` import path working.
export * from './metrics/index.js';
