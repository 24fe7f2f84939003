// Builds what a user gets: every package packed with `npm pack`, installed into a new `npm init -y`
// app outside the repository, next to the peers and the tools the checks need.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname;

/** Runs a command, returning stdout; on failure the error carries the command's output. */
export function sh(cmd, args, cwd, env = process.env) {
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

/** The published packages: name, directory, and the parsed package.json. */
export function packages() {
  return readdirSync(join(root, 'packages'))
    .map((dir) => ({ dir: join(root, 'packages', dir), short: dir }))
    .filter(({ dir }) => existsSync(join(dir, 'package.json')))
    .map((p) => ({ ...p, json: JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')) }))
    .filter((p) => !p.json.private);
}

/** The version this repository installed of a package, so the fresh app tests what the suite tests. */
export function repoVersion(name) {
  const places = [
    root,
    ...packages().map((p) => p.dir),
    ...readdirSync(join(root, 'examples')).map((e) => join(root, 'examples', e)),
  ];
  for (const place of places) {
    const file = join(place, 'node_modules', name, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version;
  }
  return 'latest';
}

/**
 * Packs every package into a fresh directory; returns, by package name, each tarball's path, the
 * files it ships, its size and its unpacked size in bytes (as `npm pack` reports them).
 */
export function packAll() {
  const dest = mkdtempSync(join(tmpdir(), 'threadline-pack-'));
  const out = JSON.parse(
    sh(
      'npm',
      ['pack', '--json', '--pack-destination', dest, ...packages().flatMap((p) => ['-w', p.dir])],
      root,
    ),
  );
  return {
    dest,
    tarballs: new Map(
      out.map((t) => [
        t.name,
        {
          path: join(dest, t.filename),
          files: t.files.map((f) => f.path),
          size: t.size,
          unpackedSize: t.unpackedSize,
        },
      ]),
    ),
  };
}

/**
 * A new app (`npm init -y`, so CommonJS by default) with the tarballs and `extra` packages installed
 * at the versions this repository uses.
 */
export function freshApp(tarballs, extra) {
  const app = mkdtempSync(join(tmpdir(), 'threadline-app-'));
  sh('npm', ['init', '-y'], app);
  const specs = [...new Set(extra)].map((name) => `${name}@${repoVersion(name)}`);
  sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...[...tarballs.values()].map((t) => t.path),
      ...specs,
    ],
    app,
  );
  mkdirSync(join(app, 'blocks'), { recursive: true });
  return app;
}
