/** What one `npm run bench` does: the scenarios, their sizes and the number of rounds. */
import type { RedisScenario } from './redis/runRedis';
import type { ScaleScenario } from './scale/runScale';

/** One fan-out scenario. */
export interface FanoutScenario {
  id: string;
  /** `saturated`: publish as fast as the server takes it; `paced`: `rate` broadcasts/s; `targeted`: to one user each. */
  kind: 'saturated' | 'paced' | 'targeted';
  connections: number;
  /** Broadcasts (saturated, paced) or single-user publishes (targeted). */
  events: number;
  /** Publishes per event-loop turn (saturated, targeted). */
  burst?: number;
  /** Broadcasts per second (paced). */
  rate?: number;
  /** Distinct users the connections belong to (targeted). */
  users?: number;
}

export interface BenchConfig {
  profile: 'full' | 'quick';
  rounds: number;
  fanout: FanoutScenario[];
  parse: { megabytes: number; seed: number };
  /** The Redis broker suite (`--only redis`): see src/redis/runRedis.ts. */
  redis: RedisScenario;
  /** Past one process (`--only scale`, never part of the default run): see src/scale/runScale.ts. */
  scale: ScaleScenario;
}

/**
 * The full run stays under 10 minutes on 2 cores with four contenders of each kind: ~0.3 M
 * deliveries per saturated round, a 2 s paced round, 56 MB per parse round, 3 rounds of
 * everything. Most of a fan-out round is opening the connections, not publishing. `--quick` keeps the same shapes
 * smaller, in one round, for a 1–2 minute check while developing (no medians: one sample each).
 */
export function benchConfig(quick: boolean): BenchConfig {
  if (quick) {
    return {
      profile: 'quick',
      rounds: 1,
      fanout: [
        { id: 'broadcast-1k', kind: 'saturated', connections: 1_000, events: 100, burst: 10 },
        { id: 'broadcast-10k', kind: 'saturated', connections: 10_000, events: 10, burst: 10 },
        { id: 'paced-1k', kind: 'paced', connections: 1_000, events: 10, rate: 10 },
        { id: 'paced-5k', kind: 'paced', connections: 5_000, events: 10, rate: 10 },
        {
          id: 'targeted-1k',
          kind: 'targeted',
          connections: 1_000,
          users: 100,
          events: 1_000,
          burst: 10,
        },
        {
          id: 'targeted-10k',
          kind: 'targeted',
          connections: 10_000,
          users: 1_000,
          events: 1_000,
          burst: 10,
        },
      ],
      parse: { megabytes: 16, seed: 7 },
      redis: {
        connections: 1_500,
        broadcasts: 60,
        burst: 10,
        replayEvents: 1_000,
        replays: 5,
        appends: 5_000,
        inFlight: 64,
      },
      scale: { perProcess: 1_500, processes: 3, seconds: 5, burst: 100 },
    };
  }
  return {
    profile: 'full',
    rounds: 3,
    fanout: [
      { id: 'broadcast-1k', kind: 'saturated', connections: 1_000, events: 300, burst: 10 },
      { id: 'broadcast-10k', kind: 'saturated', connections: 10_000, events: 30, burst: 10 },
      { id: 'paced-1k', kind: 'paced', connections: 1_000, events: 20, rate: 10 },
      { id: 'paced-5k', kind: 'paced', connections: 5_000, events: 20, rate: 10 },
      {
        id: 'targeted-1k',
        kind: 'targeted',
        connections: 1_000,
        users: 100,
        events: 3_000,
        burst: 10,
      },
      {
        id: 'targeted-10k',
        kind: 'targeted',
        connections: 10_000,
        users: 1_000,
        events: 3_000,
        burst: 10,
      },
    ],
    parse: { megabytes: 56, seed: 7 },
    redis: {
      connections: 3_000,
      broadcasts: 200,
      burst: 10,
      replayEvents: 1_000,
      replays: 20,
      appends: 20_000,
      inFlight: 64,
    },
    // 45,000 connections over 3 processes (the descriptor limit is 20,000 a process).
    scale: { perProcess: 15_000, processes: 3, seconds: 60, burst: 100 },
  };
}
