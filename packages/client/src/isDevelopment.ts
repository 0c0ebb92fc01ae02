/**
 * Whether the app runs a development build: `process.env.NODE_ENV` is not `'production'`. Read on
 * every call (bundlers replace the expression; a test may set it), and never throws: under
 * `deno run --allow-net` reading `process.env` throws `NotCapable` (no env permission), and
 * where there is no `process` at all (browsers, Workers) it is development unless a bundler said
 * otherwise. Either way the answer only chooses whether to warn.
 * @internal
 */
export function isDevelopment(): boolean {
  try {
    return (globalThis as any).process?.env?.NODE_ENV !== 'production';
  } catch {
    return true;
  }
}
