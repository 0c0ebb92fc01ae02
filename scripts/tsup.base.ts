import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup config every package shares: ESM + CJS + `.d.ts`/`.d.cts`, no minification (users'
 * bundlers minify), tree-shakeable output. A package's `tsup.config.ts` only lists its entries.
 */
export function packageConfig(entry: Record<string, string>, extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { customConditions: [] } },
    tsconfig: 'tsconfig.build.json',
    target: 'es2022',
    platform: 'neutral',
    // The maps name `../src/*.ts` (with sourcesContent inline too): every package ships `src/`
    // (`files` in its package.json), so stack traces and editors open real files, as TanStack
    // Query and tRPC ship theirs.
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
    ...extra,
  });
}
