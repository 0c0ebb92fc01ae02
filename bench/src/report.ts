/**
 * Turn rounds into tables: medians over rounds, and ratios taken per round (A_r / B_r, then the
 * median) so drift of a shared machine between rounds cancels out.
 */
import type { FanoutScenario } from './config';
import type { FanoutRound } from './fanout/runFanout';
import type { ParseRound } from './parse/runParse';
import { median } from './stats';
import { num, table, times } from './table';

const FLOOR = 'naive';
const PEER = 'better-sse';

type Metric<R> = (r: R) => number | undefined;

/** Median over rounds of `metric`. */
function med<R extends { error?: string }>(rounds: R[], metric: Metric<R>): number | undefined {
  return median(rounds.filter((r) => !r.error).map(metric));
}

/** Median over rounds of metric(a_r) / metric(b_r), pairing rounds by number. */
function pairedRatio<R extends { round: number; error?: string }>(
  mine: R[],
  base: R[],
  metric: Metric<R>,
): number | undefined {
  const ratios = mine.map((r) => {
    const b = base.find((x) => x.round === r.round && !x.error);
    const x = r.error ? undefined : metric(r);
    const y = b ? metric(b) : undefined;
    return x !== undefined && y !== undefined && y !== 0 ? x / y : undefined;
  });
  return median(ratios);
}

/** Rounds by contender: the floor first, then the peer, then the rest in run order. */
function groupBy<R extends { contender: string }>(rounds: R[]): Map<string, R[]> {
  const rank = (name: string) => (name === FLOOR ? 0 : name === PEER ? 1 : 2);
  const names = [...new Set(rounds.map((r) => r.contender))].sort((a, b) => rank(a) - rank(b));
  return new Map(names.map((name) => [name, rounds.filter((r) => r.contender === name)]));
}

const ms = (us: number | undefined) => (us === undefined ? undefined : us / 1000);
const kib = (b: number | undefined) => (b === undefined ? undefined : b / 1024);
const total = (r: FanoutRound) =>
  r.userPerEvent === undefined || r.systemPerEvent === undefined
    ? undefined
    : r.userPerEvent + r.systemPerEvent;

function errors<R extends { error?: string }>(rounds: R[]): string {
  const n = rounds.filter((r) => r.error).length;
  return n === 0 ? '' : ` (${n} failed)`;
}

function lost(rounds: FanoutRound[]): string {
  const worst = Math.max(0, ...rounds.map((r) => r.lost ?? 0));
  const closed = Math.max(0, ...rounds.map((r) => r.closedEarly ?? 0));
  return closed > 0 ? `${worst} (${closed} closed)` : String(worst);
}

function saturatedTable(s: FanoutScenario, rounds: FanoutRound[]): string {
  const by = groupBy(rounds);
  const floor = by.get(FLOOR) ?? [];
  const peer = by.get(PEER) ?? [];
  const rows = [...by].map(([name, rs]) => [
    name + errors(rs),
    num(med(rs, (r) => r.eventsPerSec)),
    times(pairedRatio(rs, floor, (r) => r.eventsPerSec)),
    times(pairedRatio(rs, peer, (r) => r.eventsPerSec)),
    num(
      med(rs, (r) => r.userPerEvent),
      2,
    ),
    num(med(rs, total), 2),
    `${num(
      med(rs, (r) => r.userSeconds),
      2,
    )}/${num(
      med(rs, (r) => r.systemSeconds),
      2,
    )}`,
    times(pairedRatio(rs, floor, (r) => r.userPerEvent)),
    times(pairedRatio(rs, peer, (r) => r.userPerEvent)),
    num(ms(med(rs, (r) => r.p50)), 1),
    num(ms(med(rs, (r) => r.p99)), 1),
    lost(rs),
    num(kib(med(rs, (r) => r.heapPerConnection)), 1),
    num(kib(med(rs, (r) => r.rssPerConnection)), 1),
  ]);
  return `### Fan-out, saturated: ${num(s.connections)} connections × ${num(s.events)} broadcasts (${s.burst ?? 1} per tick)\n${table(
    [
      'contender',
      'events/s',
      '×naive',
      '×better-sse',
      'user µs/ev',
      'total µs/ev',
      'CPU s user/sys',
      'user ×naive',
      'user ×better-sse',
      'p50 ms',
      'p99 ms',
      'lost',
      'heap KiB/conn',
      'RSS KiB/conn',
    ],
    rows,
  )}`;
}

function pacedTable(s: FanoutScenario, rounds: FanoutRound[]): string {
  const by = groupBy(rounds);
  const floor = by.get(FLOOR) ?? [];
  const rows = [...by].map(([name, rs]) => [
    name + errors(rs),
    num(ms(med(rs, (r) => r.p50)), 2),
    num(ms(med(rs, (r) => r.p99)), 2),
    times(pairedRatio(rs, floor, (r) => r.p99)),
    num(ms(med(rs, (r) => r.max)), 2),
    num(ms(med(rs, (r) => r.handoff)), 2),
    times(pairedRatio(rs, floor, (r) => r.handoff)),
    num(ms(med(rs, (r) => r.handoffCpu)), 2),
    times(pairedRatio(rs, floor, (r) => r.handoffCpu)),
    lost(rs),
    num(
      med(rs, (r) => r.userPerEvent),
      2,
    ),
    num(med(rs, total), 2),
    num(kib(med(rs, (r) => r.heapPerConnection)), 1),
  ]);
  return `### Latency at ${s.rate} broadcasts/s: ${num(s.connections)} connections × ${s.events} broadcasts\n${table(
    [
      'contender',
      'p50 ms',
      'p99 ms',
      'p99 ×naive',
      'max ms',
      'hand-off ms',
      'hand-off ×naive',
      'hand-off CPU ms',
      'CPU ×naive',
      'lost',
      'user µs/ev',
      'total µs/ev',
      'heap KiB/conn',
    ],
    rows,
  )}`;
}

function targetedTable(scenarios: FanoutScenario[], rounds: FanoutRound[]): string {
  const [small, large] = scenarios;
  if (!small) return '';
  const names = [...groupBy(rounds).keys()];
  const of = (s: FanoutScenario | undefined, name: string) =>
    rounds.filter((r) => r.scenario === s?.id && r.contender === name);
  const rows = names.map((name) => {
    const a = of(small, name);
    const b = of(large, name);
    const ca = med(a, (r) => r.cpuPerPublish);
    const cb = med(b, (r) => r.cpuPerPublish);
    return [
      name + errors([...a, ...b]),
      num(ca, 1),
      num(cb, 1),
      times(ca !== undefined && cb !== undefined ? cb / ca : undefined),
      num(
        med(a, (r) => r.publishMicros),
        1,
      ),
      num(
        med(b, (r) => r.publishMicros),
        1,
      ),
      lost([...a, ...b]),
    ];
  });
  const label = (s: FanoutScenario | undefined) =>
    s ? `${num(s.connections / 1000)}k/${num(s.users)}u` : '-';
  return `### Targeted publish: ${num(small.events)} publishes, each to one user (${num(
    small.connections / (small.users ?? 1),
  )} connections)\n${table(
    [
      'contender',
      `CPU µs/publish ${label(small)}`,
      `CPU µs/publish ${label(large)}`,
      'large/small',
      `wall µs/publish ${label(small)}`,
      `wall µs/publish ${label(large)}`,
      'lost',
    ],
    rows,
  )}`;
}

/** One table per saturated and paced scenario, one for the targeted pair. */
export function fanoutTables(rounds: FanoutRound[], scenarios: FanoutScenario[]): string[] {
  const out: string[] = [];
  for (const s of scenarios) {
    const rs = rounds.filter((r) => r.scenario === s.id);
    if (rs.length === 0) continue;
    if (s.kind === 'saturated') out.push(saturatedTable(s, rs));
    if (s.kind === 'paced') out.push(pacedTable(s, rs));
  }
  const targeted = scenarios.filter((s) => s.kind === 'targeted');
  const trs = rounds.filter((r) => targeted.some((s) => s.id === r.scenario));
  if (trs.length > 0) out.push(targetedTable(targeted, trs));
  const failures = rounds.filter((r) => r.error);
  if (failures.length > 0) {
    out.push(
      `Failed rounds:\n${failures.map((r) => `- ${r.scenario} ${r.contender} round ${r.round + 1}: ${r.error}`).join('\n')}`,
    );
  }
  return out;
}

export function parseTable(rounds: ParseRound[], megabytes: number): string {
  const by = groupBy(rounds);
  const parser = by.get('eventsource-parser') ?? [];
  const es = by.get('eventsource') ?? [];
  const rows = [...by].map(([name, rs]) => [
    name + errors(rs),
    num(
      med(rs, (r) => r.megabytesPerSec),
      1,
    ),
    num(med(rs, (r) => r.eventsPerSec)),
    times(pairedRatio(rs, parser, (r) => r.megabytesPerSec)),
    times(pairedRatio(rs, es, (r) => r.megabytesPerSec)),
  ]);
  const failures = rounds.filter((r) => r.error);
  const note =
    failures.length > 0
      ? `\nFailed rounds:\n${failures.map((r) => `- ${r.contender} round ${r.round + 1}: ${r.error}`).join('\n')}`
      : '';
  return `### Client parse: ${megabytes} MB recorded stream from a Response body\n${table(
    ['contender', 'MB/s', 'events/s', '×eventsource-parser', '×eventsource'],
    rows,
  )}${note}`;
}
