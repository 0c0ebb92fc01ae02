import { packageProject } from '../../vitest.shared.ts';

export default packageProject('runtimes', {
  // The packages' build runs first when a dist/ is missing or older than its src/.
  hookTimeout: 300_000,
  testTimeout: 60_000,
});
