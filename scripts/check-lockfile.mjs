#!/usr/bin/env node
/**
 * Fails when package-lock.json lacks an entry for an optional dependency of a package it records
 * (biome's, esbuild's, rollup's, rolldown's and lightningcss's per-platform binaries, fsevents, …).
 *
 * npm records every platform's optional packages when it resolves a tree from scratch, but it
 * drops the ones this machine does not install when it rewrites the lockfile over an existing
 * node_modules (npm/cli#4828). Such a lockfile still installs here, and `npm ci` then fails on
 * every other platform, or with another npm version, with "Missing: … from lock file". See
 * CONTRIBUTING.md for how to regenerate the lockfile.
 *
 * Usage: node scripts/check-lockfile.mjs [path/to/package-lock.json]
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const entries = lock.packages;
if (lock.lockfileVersion < 2 || !entries) {
  console.error(`check-lockfile: ${file} has no "packages" map (lockfileVersion 2 or 3 needed)`);
  process.exit(1);
}

/** The entry Node would load `name` from when required by the package at `from`. */
function resolve(from, name) {
  let dir = from;
  for (;;) {
    const path = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (entries[path]) return path;
    if (!dir) return undefined;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up >= 0 ? dir.slice(0, up) : '';
  }
}

const problems = [];
let owners = 0;
let checked = 0;
for (const [path, entry] of Object.entries(entries)) {
  if (entry.link) continue; // a workspace link: its target's own entry lists the dependencies
  const optional = Object.keys(entry.optionalDependencies ?? {});
  if (optional.length === 0) continue;
  owners++;
  for (const name of optional) {
    checked++;
    const found = resolve(path, name);
    const owner = path || '(root)';
    if (!found) problems.push(`${owner}: optional dependency ${name} has no entry`);
    else if (!entries[found].version) problems.push(`${found} (for ${owner}) has no version`);
  }
}

if (problems.length > 0) {
  console.error(
    `check-lockfile: ${problems.length} optional dependencies are not in the lockfile:`,
  );
  for (const problem of problems) console.error(`  ${problem}`);
  console.error(
    'npm ci fails on the platforms (or npm versions) that need them. Regenerate the lockfile ' +
      'as CONTRIBUTING.md says ("Dependencies and the lockfile").',
  );
  process.exit(1);
}
console.log(
  `check-lockfile: all ${checked} optional dependencies of ${owners} packages have lockfile entries`,
);
