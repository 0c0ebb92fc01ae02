import { hub } from './lib/hub';

// `next start` answers SIGTERM by closing its HTTP server and waiting for open requests, which an
// SSE stream never finishes on its own. Closing the hub first ends every stream cleanly (each
// client reconnects after `retry`, to another instance behind a load balancer), so Next's own
// shutdown completes at once and it exits (with 143, as for any SIGTERM).
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void hub.close());
}
