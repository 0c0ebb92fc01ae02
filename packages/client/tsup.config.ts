import { packageConfig } from '../../scripts/tsup.base.ts';

export default packageConfig({ index: 'src/index.ts', msw: 'src/msw.ts', tabs: 'src/tabs.ts' });
