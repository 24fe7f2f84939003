import { execFile } from 'node:child_process';

const SHA = /^[0-9a-f]{7,64}$/i;
// Variables CI systems set to the commit being built; checked before asking git.
const SHA_VARS = ['THREADLINE_GIT_SHA', 'GIT_COMMIT', 'GITHUB_SHA', 'CI_COMMIT_SHA', 'BUILD_SOURCEVERSION'];
const GIT_TIMEOUT_MS = 1500;

let cached: Promise<string | null> | undefined;
let known: string | null = null;

/**
 * The git commit of the code being run: from an environment variable when set, else from
 * `git rev-parse HEAD` in the working directory (bounded by a timeout; null when unavailable).
 * Asked once per process and never blocks the event loop.
 */
export function gitSha(): Promise<string | null> {
  if (cached) return cached;
  for (const name of SHA_VARS) {
    const value = process.env[name]?.trim();
    if (value && SHA.test(value)) {
      known = value.toLowerCase();
      cached = Promise.resolve(known);
      return cached;
    }
  }
  cached = new Promise((resolve) => {
    try {
      execFile(
        'git',
        ['rev-parse', 'HEAD'],
        { timeout: GIT_TIMEOUT_MS, windowsHide: true, encoding: 'utf8' },
        (error, stdout) => {
          const sha = String(stdout ?? '').trim();
          known = !error && SHA.test(sha) ? sha : null;
          resolve(known);
        },
      );
    } catch {
      resolve(null);
    }
  });
  return cached;
}

/** The git sha if already resolved (for the synchronous summary written on a signal). */
export function knownGitSha(): string | null {
  return known;
}
