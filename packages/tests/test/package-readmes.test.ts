// Every public package has a README that npm publishes with it, opening with its install line
// and a smallest useful example (its ts/tsx blocks are compiled by docs-samples.test.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractSamples } from '../../../scripts/check-samples.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The public packages (as scripts/packages.mjs lists them for the build and the checks). */
const packages = ['core', 'server', 'client', 'react', 'redis'].map((name) => {
  const dir = join(ROOT, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    private?: boolean;
  };
  return { dir, pkg };
});

describe('package READMEs', () => {
  it('covers the five public packages', () => {
    expect(packages.filter(({ pkg }) => !pkg.private).map(({ pkg }) => pkg.name)).toEqual([
      '@ssekit/core',
      '@ssekit/server',
      '@ssekit/client',
      '@ssekit/react',
      '@ssekit/redis',
    ]);
  });

  for (const { dir, pkg } of packages) {
    it(`${pkg.name}: an install line and an example before the first section`, () => {
      const file = join(dir, 'README.md');
      expect(existsSync(file), `${file} is missing`).toBe(true);
      const readme = readFileSync(file, 'utf8');
      expect(readme.split('\n')[0]).toBe(`# ${pkg.name}`);
      const install = /^npm install (.+)$/m.exec(readme);
      expect(install?.[1]?.split(/\s+/)).toContain(pkg.name);
      const samples = extractSamples('README.md', readme).filter((sample) => !sample.skip);
      expect(samples.length).toBeGreaterThan(0);
      expect(samples[0]!.code).toContain(`from '${pkg.name}`);
    });

    it(`${pkg.name}: npm packs the README`, { timeout: 60_000 }, () => {
      const [packed] = JSON.parse(
        execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      ) as [{ files: { path: string }[] }];
      expect(packed.files.map((entry) => entry.path)).toContain('README.md');
    });
  }
});
