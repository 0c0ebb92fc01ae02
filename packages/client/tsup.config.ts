import { packageConfig } from '../../scripts/tsup.base.ts';

// eventsource-parser is bundled: only v4.1+ has `onId` (ids from blocks without data), and v4 is
// ESM-only and declares Node >= 22.12; inlining it keeps our CJS build and Node 20 support.
export default packageConfig({ index: 'src/index.ts' }, { noExternal: ['eventsource-parser'] });
