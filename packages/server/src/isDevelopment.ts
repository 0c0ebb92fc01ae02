/**
 * True unless `NODE_ENV` is `production`: the default of `validate` and the switch of the hub's
 * development diagnostics. Read on every call, as tests and tools change it.
 *
 * Server code must run under `deno run --allow-net` alone. There, reading `process.env` without
 * env permission throws `NotCapable` (no terminal) or stops the process at a permission prompt
 * (a terminal): so Deno's permission is queried first, without prompting, and an environment that
 * may not be read counts as development, as an unset one does.
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
