/**
 * Next.js runs `register` once when the server starts, in each runtime. The signal handling is
 * Node-only, so it lives in its own module, imported only there (the Edge build never sees it).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./instrumentation-node');
}
