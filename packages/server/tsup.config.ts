import { packageConfig } from '../../scripts/tsup.base.ts';

export default packageConfig({
  index: 'src/index.ts',
  node: 'src/adapters/node.ts',
  express: 'src/adapters/express.ts',
  fetch: 'src/adapters/fetch.ts',
});
