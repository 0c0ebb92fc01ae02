/**
 * True unless `NODE_ENV` is `production`: the default of `validate` and the switch of the hub's
 * development diagnostics. Read on every call, as tests and tools change it. Reading can throw:
 * Deno without `--allow-env` answers `process.env.NODE_ENV` with `NotCapable`, and server code
 * must run under `deno run --allow-net` alone; an unreadable environment counts as development,
 * as an unset one does.
 * @internal
 */
export function isDevelopment(): boolean {
  try {
    return (globalThis as { process?: any }).process?.env?.NODE_ENV !== 'production';
  } catch {
    return true;
  }
}
