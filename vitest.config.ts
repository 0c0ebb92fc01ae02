import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest test files first, whatever their project: vitest's default runs the projects one
 * after another, which left the 30 s soak (`tests`) to start near the end of the run. Durations
 * come from the last run; files never run yet go first, the larger ones before the smaller.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const key = (file: TestSpecification) =>
      `${file.project.name}:${relative(config.root, file.moduleId)}`;
    const duration = (file: TestSpecification) => cache.getFileTestResults(key(file))?.duration;
    const size = (file: TestSpecification) => cache.getFileStats(key(file))?.size ?? 0;
    return [...files].sort((a, b) => {
      const [da, db] = [duration(a), duration(b)];
      if (da === undefined || db === undefined) {
        if (da !== db) return da === undefined ? -1 : 1;
        return size(b) - size(a);
      }
      return db - da;
    });
  }
}

/**
 * One run over every package's tests. Packages resolve each other's `src` through the
 * `@ssekit/source` export condition, so no build is needed to test.
 *
 * The `types` project is the run's one typecheck: a single `tsc` over the whole workspace
 * (`tsconfig.json`), reporting the `*.test-d.ts` type tests as tests. A type error anywhere else
 * (sources, tests, scripts) fails the run too.
 */
export default defineConfig({
  test: {
    // A worker per core: the test files mostly wait on sockets, timers and chromium. Vitest's
    // default (cores - 1) would run them one after another on a 2-core machine.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: LongestFirst },
    // Once per run: finds chromium, redis-server and nginx, and names the missing ones in one line.
    globalSetup: ['packages/test-utils/src/globalSetup.ts'],
    projects: [
      'packages/*/vitest.config.ts',
      'examples/*/vitest.config.ts',
      {
        test: {
          name: 'types',
          typecheck: {
            enabled: true,
            only: true,
            include: ['{packages,examples}/*/test/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
        },
      },
    ],
  },
});
