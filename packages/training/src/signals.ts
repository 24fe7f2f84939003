import { reportError } from '@threadline/core';

/** What the signal handler needs of a run. */
interface Killable {
  killed(signal: string): Promise<void> | undefined;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** How long the final pushes may hold the exit back. */
const FINAL_PUSH_WAIT_MS = 3000;
const watched = new Set<Killable>();
let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  const runs = [...watched];
  watched.clear();
  uninstall();
  const pushes: Promise<void>[] = [];
  for (const run of runs) {
    try {
      const push = run.killed(signal);
      if (push) pushes.push(push);
    } catch (error) {
      reportError('training.signals', error);
    }
  }
  // With no other listener, Node's default for this signal is to end the process; having
  // listened, we must raise it again ourselves, once our handlers are gone. When the application
  // listens too, the decision is the application's.
  if (process.listenerCount(signal) > 0) return;
  const reraise = (): void => {
    process.kill(process.pid, signal);
  };
  if (pushes.length === 0) {
    reraise();
    return;
  }
  const timer = setTimeout(reraise, FINAL_PUSH_WAIT_MS);
  void Promise.allSettled(pushes).then(() => {
    clearTimeout(timer);
    reraise();
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/**
 * Marks the run killed (summary and status written) on SIGINT or SIGTERM, then lets the signal do
 * what it would have done. Returns the undo; the handlers go when the last watched run ends.
 */
export function watchSignals(run: Killable): () => void {
  watched.add(run);
  install();
  return () => {
    watched.delete(run);
    if (watched.size === 0) uninstall();
  };
}
