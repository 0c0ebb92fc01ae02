import { defineConfig } from 'vitest/config';

/**
 * One run over every package's tests. Packages resolve each other's `src` through the
 * `@ssekit/source` export condition, so no build is needed to test.
 */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
  },
});
