import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// The repository root: the workspace's packages are linked from its node_modules. In a project
// of your own, drop both settings.
const root = fileURLToPath(new URL('../..', import.meta.url));

// What `create-next-app` (16.x) sets: `cacheComponents` (no route segment config such as
// `dynamic`; a route that must not be prerendered awaits `connection()`), `partialPrefetching`.
const config: NextConfig = {
  cacheComponents: true,
  partialPrefetching: true,
  turbopack: { root },
  outputFileTracingRoot: root,
};

export default config;
