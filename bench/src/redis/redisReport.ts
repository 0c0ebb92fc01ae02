/** Tables of the Redis broker suite: medians over rounds, ratios to the in-memory broker per round. */
import { median } from '../stats';
import { num, table, times } from '../table';
import type { RedisRound, RedisScenario, StreamFigures } from './runRedis';

const BASE = 'memory ×1';

const total = (r: RedisRound) =>
  r.hubCpuPerDelivery === undefined
    ? undefined
    : r.hubCpuPerDelivery + (r.redisCpuPerDelivery ?? 0);

export function redisTables(
  rounds: RedisRound[],
  scenario: RedisScenario,
  figures: StreamFigures | undefined,
): string[] {
  const names = [...new Set(rounds.map((r) => r.contender))];
  const ok = (name: string) => rounds.filter((r) => r.contender === name && !r.error);
  const med = (name: string, metric: (r: RedisRound) => number | undefined) =>
    median(ok(name).map(metric));
  /** Median over rounds of metric(r) / metric(memory in the same round). */
  const ratio = (name: string, metric: (r: RedisRound) => number | undefined) =>
    median(
      ok(name).map((r) => {
        const base = ok(BASE).find((b) => b.round === r.round);
        const x = metric(r);
        const y = base ? metric(base) : undefined;
        return x !== undefined && y ? x / y : undefined;
      }),
    );
  const failed = (name: string) => {
    const n = rounds.filter((r) => r.contender === name && r.error).length;
    return n ? ` (${n} failed)` : '';
  };
  const ms = (us: number | undefined) => (us === undefined ? undefined : us / 1000);

  const fanout = names.map((name) => [
    name + failed(name),
    num(med(name, (r) => r.eventsPerSec)),
    times(ratio(name, (r) => r.eventsPerSec)),
    num(
      med(name, (r) => r.hubCpuPerDelivery),
      2,
    ),
    num(
      med(name, (r) => r.redisCpuPerDelivery),
      2,
    ),
    num(
      med(name, (r) =>
        r.redisCpuPerDelivery === undefined
          ? undefined
          : r.redisCpuPerDelivery * scenario.connections,
      ),
      1,
    ),
    num(med(name, total), 2),
    times(ratio(name, total)),
    num(ms(med(name, (r) => r.p50)), 1),
    num(ms(med(name, (r) => r.p99)), 1),
    String(Math.max(0, ...rounds.filter((r) => r.contender === name).map((r) => r.lost ?? 0))),
  ]);
  const out = [
    `### Redis broker: ${num(scenario.connections)} connections × ${num(scenario.broadcasts)} broadcasts (${scenario.burst} per tick), spread over the hub processes, published from the first\n${table(
      [
        'contender',
        'events/s',
        '×memory',
        'hub CPU µs/delivery',
        'redis CPU µs/delivery',
        'redis CPU µs/publish',
        'total µs/delivery',
        'total ×memory',
        'p50 ms',
        'p99 ms',
        'lost',
      ],
      fanout,
    )}`,
  ];
  const replay = names
    .filter((name) => ok(name).some((r) => r.replayP50 !== undefined))
    .map((name) => [
      name,
      num(
        med(name, (r) => r.replayP50),
        1,
      ),
      num(
        med(name, (r) => r.replayP99),
        1,
      ),
      times(ratio(name, (r) => r.replayP50)),
    ]);
  if (replay.length > 0) {
    out.push(
      `### Replay: a client resuming ${num(scenario.replayEvents)} events back (request → last event, ${scenario.replays} resumes a round)\n${table(
        ['contender', 'p50 ms', 'p99 ms', 'p50 ×memory'],
        replay,
      )}`,
    );
  }
  if (figures) {
    out.push(
      `### One Redis stream: ${num(scenario.appends)} publishes through the broker from one process, ${scenario.inFlight} in flight\n${table(
        ['appends/s', 'redis CPU µs/append', 'Redis bytes/event', 'payload bytes/event', 'error'],
        [
          [
            num(figures.appendsPerSec),
            num(figures.redisCpuPerAppend, 1),
            num(figures.bytesPerEvent, 1),
            num(figures.payloadBytes),
            figures.error ?? '',
          ],
        ],
      )}`,
    );
  }
  const failures = rounds.filter((r) => r.error);
  if (failures.length > 0) {
    out.push(
      `Failed rounds:\n${failures.map((r) => `- redis ${r.contender} round ${r.round + 1}: ${r.error}`).join('\n')}`,
    );
  }
  return out;
}
