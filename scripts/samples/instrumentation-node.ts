/**
 * The Node-only module the Next.js samples' `instrumentation.ts` imports
 * (`import('./instrumentation-node')`), as `docs/deployment.md` makes it.
 */
import { hub } from './lib/hub';

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void hub.close());
}
