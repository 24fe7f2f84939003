// SIGTERM mid-stream with handleSignals(): not one line of pino lost, to stdout, to a pipe or to
// the logger's own file. Real child processes, real signals, every line counted.
import { describeSigtermShutdown } from '../helpers/shutdown.js';

describeSigtermShutdown('pino');
