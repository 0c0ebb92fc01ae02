import { packageConfig } from '../../scripts/tsup.base.ts';

// `tabs` imports `connect` through the package's own name: keep it an import of the main entry.
export default packageConfig(
  { index: 'src/index.ts', msw: 'src/msw.ts', tabs: 'src/tabs.ts' },
  { external: ['@ssekit/client'] },
);
