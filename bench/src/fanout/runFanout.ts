/**
 * The fan-out orchestrator: for each scenario and round, a fresh server child (pinned to core 0)
 * and a fresh load-generator child (core 1), contenders alternating A B C A B C …
 */
import { BenchChild } from '../child';
import type { FanoutScenario } from '../config';
import type { FanoutContender, Loaded } from '../contender';

const SERVER = new URL('./serverMain.ts', import.meta.url);
const LOAD = new URL('./loadMain.ts', import.meta.url);

/** What one round of one contender measured. Times in µs, memory in bytes. */
export interface FanoutRound {
  scenario: string;
  contender: string;
  round: number;
  error?: string;
  connections?: number;
  expected?: number;
  received?: number;
  lost?: number;
  closedEarly?: number;
  /** Delivered events per second, first publish → last frame received. */
  eventsPerSec?: number;
  p50?: number;
  p99?: number;
  /** Paced: median per broadcast of publish → every write handed to the kernel (wall, µs). */
  handoff?: number;
  /** Paced: median per broadcast of the server CPU (user + system) over that hand-off, µs. */
  handoffCpu?: number;
  max?: number;
  /** Server CPU per delivered event, µs. */
  userPerEvent?: number;
  systemPerEvent?: number;
  userSeconds?: number;
  systemSeconds?: number;
  /** Server heap (after GC) and RSS per idle connection, bytes. */
  heapPerConnection?: number;
  rssPerConnection?: number;
  /** Targeted: wall time inside publish calls, and server CPU, per publish (µs). */
  publishMicros?: number;
  cpuPerPublish?: number;
  /** Seconds spent in each phase of the round (start, connect, publish, teardown). */
  phases?: Record<string, number>;
}

const T = { start: 30_000, connect: 120_000, command: 30_000 };

/** `--profile`: write a V8 CPU profile of every server child to this directory. */
export interface FanoutOptions {
  profileDir?: string | undefined;
}

async function runRound(
  contender: Loaded<FanoutContender>,
  scenario: FanoutScenario,
  round: number,
  options: FanoutOptions,
): Promise<FanoutRound> {
  const result: FanoutRound = { scenario: scenario.id, contender: contender.name, round };
  const targeted = scenario.kind === 'targeted';
  const profile = options.profileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${options.profileDir}`,
        `--cpu-prof-name=${scenario.id}-${contender.name}-r${round + 1}.cpuprofile`,
      ]
    : [];
  const server = new BenchChild(SERVER, [contender.file, targeted ? 'targeted' : 'broadcast'], {
    cpu: 0,
    nodeFlags: ['--expose-gc', ...profile],
  });
  const load = new BenchChild(LOAD, [], { cpu: 1 });
  const phases: Record<string, number> = {};
  result.phases = phases;
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark) / 1000;
    mark = now;
  };
  try {
    const [ready] = await Promise.all([server.next(T.start), load.next(T.start)]);
    const port = ready.port as number;
    phase('start');
    const n = scenario.connections;
    const users = scenario.users;
    // Memory is the marginal cost: measured between a warm-up share of the connections (which
    // also pays for lazily compiled code and first-use allocations) and all of them.
    const warm = Math.min(n, Math.max(50, Math.round(n / 10)));
    await load.request('connect', { port, count: warm, users }, T.connect);
    await server.request('waitFor', { n: warm, timeoutMs: T.command }, T.command + 5_000);
    const memA = await server.request('memory', {}, T.command);
    await load.request('connect', { port, count: n - warm, users }, T.connect);
    const reg = await server.request('waitFor', { n, timeoutMs: T.command }, T.command + 5_000);
    result.connections = reg.connections as number;
    if (result.connections < n)
      throw new Error(`only ${result.connections}/${n} connections registered`);
    phase('connect');
    const memB = await server.request('memory', {}, T.command);
    if (n > warm) {
      result.heapPerConnection =
        ((memB.heapUsed as number) - (memA.heapUsed as number)) / (n - warm);
      result.rssPerConnection = ((memB.rss as number) - (memA.rss as number)) / (n - warm);
    }

    const targetedTotal = (publishes: number) => {
      const u = users ?? 1;
      // Connection i belongs to user i % u; publish j goes to user j % u.
      const perUser = (k: number) => Math.floor(n / u) + (k < n % u ? 1 : 0);
      let sum = 0;
      for (let j = 0; j < publishes; j++) sum += perUser(j % u);
      return sum;
    };
    const cmd = targeted ? 'targeted' : 'broadcast';
    /** Publish `events` (expecting every frame), then wait for all of them to arrive. */
    const publishPhase = async (events: number, rate: number | undefined) => {
      const expected = targeted ? targetedTotal(events) : n * events;
      await load.request('expect', { total: expected }, T.command);
      const timeout = rate ? (events / rate) * 1000 + T.command : 120_000;
      const burst = scenario.burst;
      const pub = await server.request(
        cmd,
        { events, publishes: events, users, burst, rate },
        timeout,
      );
      const got = await load.request('collect', { idleMs: 3_000 }, 180_000);
      const cpu = await server.request('cpu', {}, T.command);
      return { expected, pub, got, cpu };
    };
    // Warm-up, not measured: every contender runs with its hot paths compiled, as a server
    // that has been up for a while does.
    // ~20,000 deliveries: 200 targeted publishes, 20 broadcasts to 1,000, 2 to 10,000.
    const warmEvents = targeted
      ? Math.min(scenario.events, 200)
      : Math.min(20, Math.max(2, Math.round(20_000 / n)));
    const warmup = await publishPhase(warmEvents, undefined);
    if (warmup.got.received !== warmup.expected) {
      throw new Error(`warm-up lost ${warmup.expected - (warmup.got.received as number)} frames`);
    }
    phase('warmup');
    const { expected, pub, got, cpu } = await publishPhase(scenario.events, scenario.rate);
    phase('publish');

    const received = got.received as number;
    const publishStart = pub.publishStart as number;
    result.expected = expected;
    result.received = received;
    result.lost = expected - received;
    result.closedEarly = got.closedEarly as number;
    result.eventsPerSec = received / (((got.lastAt as number) - publishStart) / 1e6);
    result.p50 = got.p50 as number | undefined;
    result.handoff = pub.handoff as number | undefined;
    result.handoffCpu = pub.handoffCpu as number | undefined;
    result.p99 = got.p99 as number | undefined;
    result.max = got.max as number | undefined;
    const user = cpu.userMicros as number;
    const system = cpu.systemMicros as number;
    result.userSeconds = user / 1e6;
    result.systemSeconds = system / 1e6;
    result.userPerEvent = user / received;
    result.systemPerEvent = system / received;
    if (targeted) {
      result.publishMicros = (pub.publishMicros as number) / scenario.events;
      result.cpuPerPublish = (user + system) / scenario.events;
    }
    if ((got.negative as number) > 0)
      throw new Error(`${got.negative} negative latencies (clock?)`);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    if (/EMFILE|EADDRNOTAVAIL/.test(result.error)) {
      result.error += ' (out of file descriptors or ports: check `ulimit -Hn` ≥ 10,100)';
    }
  } finally {
    // The load generator resets its sockets (no TIME_WAIT piling up over rounds); the server
    // has nothing left to measure, so it is simply killed.
    await load.request('close', {}, 5_000).catch(() => undefined);
    if (options.profileDir) {
      // A profile is written on a normal exit only: ask the server to close and exit.
      await server.request('close', {}, 10_000).catch(() => undefined);
      await server.exit(10_000);
    }
    await Promise.all([load.stop(), server.kill()]);
    phase('teardown');
  }
  return result;
}

/**
 * Round `round` of one scenario: each contender once, in the same order every round, so slow
 * drift of the machine hits all of them alike.
 */
export async function runFanoutRound(
  contenders: Loaded<FanoutContender>[],
  scenario: FanoutScenario,
  round: number,
  rounds: number,
  log: (line: string) => void,
  options: FanoutOptions = {},
): Promise<FanoutRound[]> {
  const results: FanoutRound[] = [];
  const eligible = contenders.filter((c) => scenario.kind !== 'targeted' || c.targeted !== false);
  for (const contender of eligible) {
    const started = Date.now();
    const r = await runRound(contender, scenario, round, options);
    results.push(r);
    log(
      `  ${scenario.id} round ${round + 1}/${rounds} ${contender.name}: ${
        r.error ? `ERROR ${r.error}` : `${fmtRate(r.eventsPerSec)} ev/s, lost ${r.lost}`
      } (${((Date.now() - started) / 1000).toFixed(1)} s: ${Object.entries(r.phases ?? {})
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
  }
  return results;
}

function fmtRate(x: number | undefined): string {
  return x === undefined ? '-' : Math.round(x).toLocaleString('en-US');
}
