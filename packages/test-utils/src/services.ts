import { execFileSync } from 'node:child_process';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';

/** The external programs some tests need; `scripts/setup-services.sh` installs all of them. */
const SERVICES = ['chromium', 'redis-server', 'nginx'] as const;

/** How to install every service (Debian's packages, as root). */
const INSTALL_HINT = 'sudo bash scripts/setup-services.sh';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Each service's path, `null` when missing: found once per run by the global setup. */
    ssekitServices: Partial<Record<string, string | null>>;
  }
}

/** The program's path on `PATH` or in an sbin folder (nginx's home), or `undefined`. */
function which(program: string): string | undefined {
  const PATH = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
  try {
    return (
      execFileSync('which', [program], {
        encoding: 'utf8',
        env: { ...process.env, PATH },
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/**
 * Vitest global setup (root `vitest.config.ts`): look every service up once, hand the paths to
 * the tests, and outside CI print ONE line naming the missing ones and how to install them, so
 * the test files that skip for them need not say it again each.
 */
export function setupServices(project: TestProject): void {
  const found = Object.fromEntries(SERVICES.map((name) => [name, which(name) ?? null]));
  project.provide('ssekitServices', found);
  const missing = SERVICES.filter((name) => !found[name]);
  if (missing.length > 0 && process.env.CI !== 'true') {
    console.warn(
      `[ssekit tests] not installed: ${missing.join(', ')}; the tests that need them skip. Install them with \`${INSTALL_HINT}\``,
    );
  }
}

/**
 * Find an external program tests need (`chromium`, `redis-server`, `nginx`). Outside CI a missing
 * program makes the caller skip (for those three the run's global setup has printed why, once);
 * under `CI=true` it is a failure, so CI can never go green by skipping.
 *
 * @returns the program's path, or `undefined` when it is missing outside CI.
 */
export function findService(program: string, installHint = INSTALL_HINT): string | undefined {
  const provided = providedServices();
  const known = provided !== undefined && program in provided;
  const path = (known ? provided[program] : which(program)) ?? undefined;
  if (path) return path;
  const reason = `${program} is not installed; install it with \`${installHint}\``;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  // Not said yet when the global setup did not look it up (another program, or another config).
  if (!known) console.warn(`[ssekit tests] skipping: ${reason}`);
  return undefined;
}

function providedServices(): Partial<Record<string, string | null>> | undefined {
  try {
    return inject('ssekitServices');
  } catch {
    return undefined;
  }
}
