// Checked by `npm run typecheck` (never run): each `@ts-expect-error` line is a call the runtime
// would misread, so tsc must reject it; the other lines are prom-client's own shapes and must pass.
import { createCounter, createGauge, createHistogram } from '@threadline/core';

const counter = createCounter<'route'>({ name: 'c_total', help: 'h', labelNames: ['route'] });
const gauge = createGauge<'route'>({ name: 'g', help: 'h', labelNames: ['route'] });
const histogram = createHistogram<'route'>({ name: 'h', help: 'h', labelNames: ['route'] });
const bare = createCounter({ name: 'bare_total', help: 'h' });

counter.inc();
counter.inc(5);
counter.inc({ route: '/a' });
counter.inc({ route: '/a' }, 5);
bare.inc(2);
gauge.set(1);
gauge.set({ route: '/a' }, 1);
gauge.inc();
gauge.inc(2);
gauge.inc({ route: '/a' }, 2);
gauge.dec(2);
gauge.dec({ route: '/a' });
gauge.startTimer({ route: '/a' })();
histogram.observe(0.5);
histogram.observe({ route: '/a' }, 0.5);
histogram.startTimer()({ route: '/a' });

// @ts-expect-error a string amount is not a number (prom-client would read it as labels)
counter.inc('5');
// @ts-expect-error the amount comes after the labels, not before
counter.inc(5, { route: '/a' });
// @ts-expect-error two numbers: the first would be read as the amount, the second dropped
counter.inc(5, 2);
// @ts-expect-error an unknown label name
counter.inc({ path: '/a' });
// @ts-expect-error a label value must be a string or a number
counter.inc({ route: ['/a'] });
// @ts-expect-error a gauge needs a value to set
gauge.set();
// @ts-expect-error labels alone set nothing
gauge.set({ route: '/a' });
// @ts-expect-error a string value
gauge.dec({ route: '/a' }, '1');
// @ts-expect-error a histogram needs a value to observe
histogram.observe();
// @ts-expect-error labels alone observe nothing
histogram.observe({ route: '/a' });
// @ts-expect-error prom-client's exemplar object form is not taken (exemplars come from the context)
histogram.observe({ labels: { route: '/a' }, value: 1 });
// @ts-expect-error the timer's end takes labels, not a value
histogram.startTimer()(1);
