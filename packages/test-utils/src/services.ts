import { execFileSync } from 'node:child_process';

/**
 * Find an external program tests need (`chromium`, `redis-server`). Outside CI a missing program
 * makes the caller skip with a visible reason; under `CI=true` it is a failure, so CI can never go
 * green by skipping.
 *
 * @returns the program's path, or `undefined` (after printing why) when it is missing outside CI.
 */
export function findService(
  program: string,
  installHint = 'run `sudo bash scripts/setup-services.sh`',
): string | undefined {
  let path: string | undefined;
  try {
    path = execFileSync('which', [program], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    path = undefined;
  }
  if (path) return path;
  const reason = `${program} is not installed; ${installHint}`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  console.warn(`[ssekit tests] skipping: ${reason}`);
  return undefined;
}
