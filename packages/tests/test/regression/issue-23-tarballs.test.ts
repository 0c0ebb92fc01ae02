/**
 * Issue 23, items 9 and 10: the packages as `npm pack` ships them. Getting-started's pre-release
 * install packed four of the five packages (no `@ssekit/redis`), and installing server + redis
 * tarballs without core's failed with `E404 @ssekit/core@0.0.0`: now one command,
 * `npm run pack:all -- <dir>`, packs every public package and prints the one `npm install` line
 * for all of them, which this test runs in a scratch project outside the repository (the
 * tarballs' own dependencies come from the registry) and then loads every entry by `import` and
 * `require`. And the source maps in the tarballs named `src/*.ts` files the tarballs did not
 * hold, so stack traces and debuggers pointed at nothing: every `sources` entry of every map
 * must be a file of its tarball.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensurePackagesBuilt } from '@ssekit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const PUBLIC = ['core', 'server', 'client', 'react', 'redis'];
/** Entries that need an optional peer the scratch project does not install. */
const NEEDS_OPTIONAL_PEER = new Set(['@ssekit/client/msw']);

describe('issue 23: installing and debugging the packed packages', () => {
  let dir: string;
  let packs: string;
  let output: string;
  let tarballs: string[];

  beforeAll(async () => {
    // The build is ensurePackagesBuilt's (locked against the other built-output tests), so the
    // script is told not to build again: a second build would empty dist/ under those tests.
    await ensurePackagesBuilt('issue-23-tarballs');
    dir = mkdtempSync(join(tmpdir(), 'ssekit-tarballs-'));
    packs = join(dir, 'packs');
    ({ stdout: output } = await run(
      process.execPath,
      [join(ROOT, 'scripts/pack-all.mjs'), '--no-build', packs],
      { cwd: ROOT, timeout: 120_000 },
    ));
    tarballs = readdirSync(packs).filter((name) => name.endsWith('.tgz'));
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('getting-started gives the one command', () => {
    const page = readFileSync(join(ROOT, 'docs/getting-started.md'), 'utf8');
    expect(page).toContain('npm run pack:all -- ');
    expect(page).not.toMatch(/npm pack -w/);
  });

  it('packs every public package and prints one install line naming all of them', () => {
    expect(tarballs.sort()).toEqual(PUBLIC.map((name) => `ssekit-${name}-0.0.0.tgz`).sort());
    const install = output.split('\n').filter((line) => line.startsWith('npm install '));
    expect(install).toHaveLength(1);
    const named = install[0]!.split(' ').slice(2);
    expect(named.sort()).toEqual(tarballs.map((name) => join(packs, name)).sort());
  });

  it('every source map of every tarball points at files the tarball holds', async () => {
    for (const tarball of tarballs) {
      const unpacked = join(dir, 'unpacked', tarball);
      await run('mkdir', ['-p', unpacked]);
      await run('tar', ['-xzf', join(packs, tarball), '-C', unpacked]);
      const { stdout } = await run('tar', ['-tzf', join(packs, tarball)]);
      const files = new Set(stdout.split('\n').filter(Boolean));
      const maps = [...files].filter((file) => file.endsWith('.map'));
      expect(maps.length, tarball).toBeGreaterThan(0);
      const missing: string[] = [];
      for (const map of maps) {
        const { sources } = JSON.parse(readFileSync(join(unpacked, map), 'utf8')) as {
          sources: string[];
        };
        for (const source of sources) {
          const file = posix.normalize(posix.join(posix.dirname(map), source));
          if (!files.has(file)) missing.push(`${map} → ${source}`);
        }
      }
      expect(missing, tarball).toEqual([]);
      // The sources ship, their tests do not.
      expect([...files].filter((file) => /(^|\/)test\/|\.test(-d)?\.tsx?$/.test(file))).toEqual([]);
    }
  });

  it('the printed line installs them in a project outside the repository; each entry loads by import and require', async () => {
    const app = join(dir, 'app');
    await run('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    const install = output.split('\n').find((line) => line.startsWith('npm install '))!;
    const [, ...args] = install.split(' ');
    await run('npm', [...args, '--no-package-lock', '--no-audit', '--no-fund'], {
      cwd: app,
      timeout: 180_000,
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
    const specifiers: string[] = [];
    for (const name of PUBLIC) {
      const pkg = JSON.parse(
        readFileSync(join(app, 'node_modules/@ssekit', name, 'package.json'), 'utf8'),
      ) as { name: string; exports: Record<string, unknown> };
      for (const subpath of Object.keys(pkg.exports)) {
        const specifier = pkg.name + subpath.slice(1);
        if (subpath !== './package.json' && !NEEDS_OPTIONAL_PEER.has(specifier)) {
          specifiers.push(specifier);
        }
      }
    }
    expect(specifiers).toContain('@ssekit/redis');
    const list = JSON.stringify(specifiers);
    const esm = `for (const s of ${list}) { const m = await import(s); if (Object.keys(m).length === 0) throw new Error(s + ': no exports'); }`;
    const cjs = `for (const s of ${list}) { const m = require(s); if (Object.keys(m).length === 0) throw new Error(s + ': no exports'); }`;
    await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: app });
    await run(process.execPath, ['--input-type=commonjs', '-e', cjs], { cwd: app });
    // Resolved from the project's own node_modules, never from the repository.
    const { stdout } = await run(process.execPath, ['-p', `require.resolve('@ssekit/core')`], {
      cwd: app,
    });
    expect(dirname(stdout.trim())).toBe(join(app, 'node_modules/@ssekit/core/dist'));
  }, 240_000);
});
