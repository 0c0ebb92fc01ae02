import { packageProject } from '../../vitest.shared.ts';

export default packageProject('example-live-logs', {
  // Bundling the page, launching chromium and starting server processes can take a while.
  hookTimeout: 60_000,
  testTimeout: 60_000,
});
