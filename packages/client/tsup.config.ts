import { packageConfig } from '../../scripts/tsup.base.ts';

// `tabs` imports `connect` through the package's own name: keep it an import of the main entry.
// The declaration build type-checks that import against `src` (`paths`): `dist/index.d.ts` does
// not exist yet while the entries build side by side on a fresh clone.
export default packageConfig(
  { index: 'src/index.ts', msw: 'src/msw.ts', tabs: 'src/tabs.ts' },
  {
    external: ['@ssekit/client'],
    dts: {
      compilerOptions: { customConditions: [], paths: { '@ssekit/client': ['./src/index.ts'] } },
    },
  },
);
