/**
 * The runtime matrix: on Node 22 and 24, Bun and Deno, the BUILT packages (`dist/`, loaded through
 * their `exports` as a user's code loads them, by `import` and by `require`) serve a hub's stream
 * from `@ssekit/server/fetch` on the runtime's own HTTP server, and `@ssekit/client` reads it in
 * the same process. The scenario (`fixtures/scenario.mjs`) reports each feature as it measured it.
 * workerd has its own file (`workerd.test.ts`): a Worker's shape differs.
 */
import { ensurePackagesBuilt } from '@ssekit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { findRuntime, type RuntimeName, startRuntime } from './runtimes';

beforeAll(() => ensurePackagesBuilt('runtimes'), 300_000);

interface Step {
  ok: boolean;
  error?: string;
  [measured: string]: unknown;
}
interface Result {
  runtime: string;
  format: 'esm' | 'cjs';
  resolved: string;
  steps: Record<string, Step>;
}

const RUNTIMES: { name: RuntimeName; args: string[]; version: RegExp }[] = [
  { name: 'node22', args: [], version: /^node v22\./ },
  { name: 'node24', args: [], version: /^node v24\./ },
  { name: 'bun', args: [], version: /^bun 1\./ },
  // The narrowest permissions a user would grant: the scenario listens on 127.0.0.1 and fetches
  // from it. No --allow-read: Deno loads modules (node_modules, `require` of the CJS builds)
  // without it. No --allow-env: the packages must not read the environment unasked.
  { name: 'deno', args: ['run', '--allow-net'], version: /^deno 2\./ },
];

async function runScenario(binary: string, args: string[], script: string): Promise<Result> {
  const run = startRuntime(binary, [...args, script]);
  const code = await run.exited;
  const last = run.stdout().trim().split('\n').at(-1) ?? '';
  expect(code, run.output()).toBe(0);
  return JSON.parse(last) as Result;
}

describe.each(RUNTIMES)('$name', ({ name, args, version }) => {
  const binary = findRuntime(name);

  it.skipIf(!binary).each([
    ['esm', 'esm.mjs', /[/\\]packages[/\\]server[/\\]dist[/\\]fetch\.js$/],
    ['cjs', 'cjs.cjs', /[/\\]packages[/\\]server[/\\]dist[/\\]fetch\.cjs$/],
  ] as const)(
    'the built packages (%s) serve a hub stream that the client reads: typed events, auth, resume, heartbeat, abort',
    async (format, script, distFile) => {
      const result = await runScenario(binary!, args, script);
      expect(result.runtime).toMatch(version);
      expect(result.format).toBe(format);
      // Loaded from the build, as a user loads the published package: not from src/.
      expect(result.resolved.replace(/^file:\/\//, '')).toMatch(distFile);
      const { steps } = result;
      for (const [step, outcome] of Object.entries(steps)) {
        expect(outcome.error ?? 'ok', `${name} ${format}: ${step}`).toBe('ok');
      }
      expect(steps.auth).toMatchObject({ withoutToken: 401 });
      // The user's own event, then ticks; the bad payload was refused by the client's schema.
      expect(steps.typedEvents).toMatchObject({
        userId: 'ada',
        received: ['ada', 1, 2, 3],
        rejected: 1,
      });
      // Cut after 3 (the server saw Last-Event-ID = the last id read); 4 and 5, published while
      // away, come back by replay, 6 live: none lost, none twice.
      expect(steps.resume).toMatchObject({ ticks: [1, 2, 3, 4, 5, 6] });
      expect(steps.heartbeat).toMatchObject({ heartbeats: 2 });
      expect(steps.heartbeat!.contentType).toMatch(/^text\/event-stream/);
      expect(steps.abort).toMatchObject({
        connectionsBefore: 1,
        connectionsAfter: 0,
        clientState: 'closed',
      });
    },
  );
});

describe('bun idleTimeout', () => {
  const binary = findRuntime('bun');

  // Bun's idleTimeout (10 s by default, 1 s here) cut a quiet stream before its first heartbeat.
  it.skipIf(!binary)(
    "a handler given Bun's server keeps a quiet stream open past Bun's idleTimeout; without it Bun cuts it",
    async () => {
      const run = startRuntime(binary!, ['bun-idle.mjs'], { timeoutMs: 90_000 });
      expect(await run.exited, run.output()).toBe(0);
      const result = JSON.parse(run.stdout().trim().split('\n').at(-1) ?? '');
      // The kept stream got its event on its first connection; Bun had cut the plain one (the
      // case the option is for) at least twice, and it resumed.
      expect(result.requests.kept).toBe(1);
      expect(result.requests.plain).toBeGreaterThanOrEqual(3);
      expect(result.received).toEqual({ kept: [1], plain: [1] });
    },
    120_000,
  );
});
