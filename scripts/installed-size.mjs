#!/usr/bin/env node
// What `npm install @threadline/<name>` puts on a user's disk, measured as users get it: `npm pack`
// every package, then for each one a new `npm init -y` app outside the repository installs its
// tarball (with core's, which every package depends on) with `--omit=peer`: npm still resolves the
// peers against their ranges but writes none of them to disk, since the application brings its own
// (express, prom-client, pino, ...). Reports, per package:
//   - the tarball size and the unpacked size of the package itself (as `npm pack` reports them);
//   - the size of the app's whole node_modules: the package and every dependency it pulls in;
//   - how many packages that is, and disk usage as `du` counts it (whole blocks), for comparison.
// Sizes are the sum of the files' bytes, in kB and MB of 1000 (npm's units). Needs `npm run build`.
// Usage: node scripts/installed-size.mjs [--json] [package short name...]   e.g. drift express
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAll, packages, sh } from './lib/fresh-app.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.filter((a) => !a.startsWith('--'));
const chosen = packages().filter((p) => only.length === 0 || only.includes(p.short));
if (chosen.length === 0) {
  console.error(`no package named ${only.join(', ')}`);
  process.exit(2);
}

/** Bytes of every file below `dir` (links not followed), and the disk blocks they take, in bytes. */
function measure(dir) {
  let bytes = 0;
  let disk = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = measure(path);
      bytes += inner.bytes;
      disk += inner.disk;
    }
    const st = lstatSync(path);
    if (entry.isFile()) bytes += st.size;
    if (!entry.isSymbolicLink()) disk += st.blocks * 512;
  }
  return { bytes, disk };
}

/** Names of the packages installed below a node_modules directory, nested ones included. */
function installed(modules) {
  const names = [];
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@')
      ? readdirSync(join(modules, entry.name)).map((n) => `${entry.name}/${n}`)
      : [entry.name];
    for (const name of dirs) {
      names.push(name);
      const nested = join(modules, name, 'node_modules');
      if (lstatSync(join(modules, name)).isDirectory() && exists(nested)) names.push(...installed(nested));
    }
  }
  return names;
}

function exists(path) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** npm's own rendering of a size: B, kB, MB of 1000. */
function formatBytes(n) {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

console.error('npm pack every package');
const { dest, tarballs } = packAll();
const core = tarballs.get('@threadline/core');
const results = [];
try {
  for (const p of chosen) {
    const name = p.json.name;
    const tar = tarballs.get(name);
    const app = mkdtempSync(join(tmpdir(), 'threadline-size-'));
    try {
      console.error(`install ${name}`);
      sh('npm', ['init', '-y'], app);
      const specs = name === core.name ? [core.path] : [core.path, tar.path];
      sh('npm', ['install', '--omit=peer', '--no-audit', '--no-fund', '--loglevel=error', ...specs], app);
      const modules = join(app, 'node_modules');
      const peers = Object.keys(p.json.peerDependencies ?? {});
      const leaked = peers.filter((peer) => exists(join(modules, peer)));
      if (leaked.length)
        throw new Error(`${name}: peers installed despite --omit=peer: ${leaked.join(', ')}`);
      const names = installed(modules);
      const total = measure(modules);
      results.push({
        name,
        tarball: tar.size,
        unpacked: tar.unpackedSize,
        installed: total.bytes,
        disk: total.disk,
        packages: names.length,
        dependencies: Object.keys(p.json.dependencies ?? {}),
        peers,
      });
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(dest, { recursive: true, force: true });
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const npm = sh('npm', ['--version'], process.cwd()).trim();
  console.log(
    `Node ${process.version}, npm ${npm}, ${process.platform}; peers not installed (--omit=peer)\n`,
  );
  console.log('| package | tarball | unpacked | installed with its dependencies | packages | on disk (du) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results)
    console.log(
      `| \`${r.name}\` | ${formatBytes(r.tarball)} | ${formatBytes(r.unpacked)} | ${formatBytes(r.installed)} | ${r.packages} | ${formatBytes(r.disk)} |`,
    );
  console.log('');
  for (const r of results) {
    const deps = r.dependencies.map((d) => d.replace('@threadline/', '')).join(', ') || 'none';
    const peers = r.peers.length ? `peers (${r.peers.join(', ')}) not counted` : 'no peers';
    console.log(
      `${r.name}: ${formatBytes(r.unpacked)} for the package (${formatBytes(r.tarball)} packed), ${formatBytes(r.installed)} installed with its dependencies (${deps}), ${peers}`,
    );
  }
}
