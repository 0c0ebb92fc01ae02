import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/** Shared per-package vitest settings; each package's `vitest.config.ts` calls this. */
export function packageProject(name: string, extra: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@ssekit/source'] },
    ssr: { resolve: { conditions: ['@ssekit/source'] } },
    test: {
      name,
      include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
      typecheck: {
        enabled: true,
        include: ['test/**/*.test-d.ts'],
        tsconfig: '../../tsconfig.json',
      },
      testTimeout: 20_000,
      hookTimeout: 20_000,
      ...extra,
    },
  });
}
