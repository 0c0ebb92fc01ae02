import { packageProject } from '../../vitest.shared.ts';

export default packageProject('example-auto-refresh', {
  // `next build` (and the packages' build, when their dist/ is missing or older than src/) runs
  // before the tests: minutes on a loaded CI machine, not seconds.
  hookTimeout: 300_000,
});
