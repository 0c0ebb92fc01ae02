import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

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
