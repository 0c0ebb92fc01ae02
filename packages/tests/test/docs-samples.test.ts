// Every ```ts / ```tsx block of the READMEs and guides type-checks against the workspace sources,
// with the app-level names of scripts/samples/prelude.d.ts (see scripts/check-samples.ts).
import { describe, expect, it } from 'vitest';
import {
  checkSamplesTogether,
  createSampleChecker,
  exportsWithoutExample,
  findExamples,
  findSamples,
} from '../../../scripts/check-samples.ts';

const samples = findSamples();
const examples = findExamples();
let check: ReturnType<typeof createSampleChecker> | undefined;

describe('README and guide samples', () => {
  it('finds the samples of every README and guide', () => {
    const files = new Set(samples.map((sample) => sample.file));
    for (const file of ['README.md', 'packages/server/README.md', 'docs/getting-started.md']) {
      expect(files).toContain(file);
    }
  });

  for (const sample of samples) {
    // The first block pays for loading the libraries' types; later ones reuse them.
    it.skipIf(sample.skip)(`${sample.file}:${sample.line} compiles`, { timeout: 120_000 }, () => {
      check ??= createSampleChecker();
      expect(check(sample, samples)).toEqual([]);
    });
  }
});

describe('TSDoc @example blocks of the public packages', () => {
  it('finds the examples of every package', () => {
    const packages = new Set(examples.map((example) => example.file.split('/src/')[0]));
    expect([...packages].sort()).toEqual([
      'packages/client',
      'packages/core',
      'packages/react',
      'packages/redis',
      'packages/server',
    ]);
  });

  it('every public export has TSDoc with an @example', { timeout: 120_000 }, () => {
    const missing = exportsWithoutExample().map(
      (item) => `${item.specifier} ${item.name} (${item.declaredAt})`,
    );
    expect(missing).toEqual([]);
  });

  // One program for all of them (each is still its own module), checked on first use.
  let together: ReturnType<typeof checkSamplesTogether> | undefined;
  for (const example of examples) {
    it.skipIf(example.skip)(
      `${example.file}:${example.line} compiles`,
      { timeout: 120_000 },
      () => {
        together ??= checkSamplesTogether(examples.filter((sample) => !sample.skip));
        expect(together.get(example)).toEqual([]);
      },
    );
  }
});
