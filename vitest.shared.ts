import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * Shared per-package vitest settings; each package's `vitest.config.ts` calls this. Type tests
 * (`*.test-d.ts`) are not run here but once for the whole workspace, by the root config's `types`
 * project.
 */
export function packageProject(name: string, extra: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@ssekit/source'] },
    ssr: { resolve: { conditions: ['@ssekit/source'] } },
    test: {
      name,
      include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
      testTimeout: 20_000,
      hookTimeout: 20_000,
      ...extra,
    },
  });
}
