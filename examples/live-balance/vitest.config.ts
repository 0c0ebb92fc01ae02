import { packageProject } from '../../vitest.shared.ts';

export default packageProject('example-live-balance', {
  // Bundling the page and launching chromium can take a while on a loaded CI machine.
  hookTimeout: 60_000,
});
