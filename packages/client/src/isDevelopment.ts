/**
 * Whether the app runs a development build: `process.env.NODE_ENV` is not `'production'`. Read on
 * every call (a test may set it), and never throws nor stops: where there is no `process` at all
 * (browsers, Workers) it is development; under `deno run --allow-net` reading `process.env`
 * throws `NotCapable` (no terminal) or stops at a permission prompt (a terminal), so Deno's
 * permission is queried first, without prompting. Either way the answer only chooses whether to
 * warn. The server's `isDevelopment` is the same probe.
 * @internal
 */
export function isDevelopment(): boolean {
  const g = globalThis as { process?: any; Deno?: any };
  try {
    if (g.Deno?.permissions?.querySync?.({ name: 'env', variable: 'NODE_ENV' }).state === 'prompt')
      return true;
    return g.process?.env?.NODE_ENV !== 'production';
  } catch {
    return true;
  }
}
