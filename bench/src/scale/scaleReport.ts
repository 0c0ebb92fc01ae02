/** The table of the scale suite (`--only scale`): one run, figures per process. */
import { num, table } from '../table';
import type { ScalePhase, ScaleRound, ScaleScenario } from './runScale';

const ms = (us: number | undefined) => (us === undefined ? undefined : us / 1000);
const list = (xs: number[] | undefined, scale: number, digits: number) =>
  xs === undefined ? '-' : xs.map((x) => num(x / scale, digits)).join(' / ');

export function scaleTable(rounds: ScaleRound[], scenario: ScaleScenario): string {
  const rows: string[][] = [];
  for (const r of rounds) {
    const phase = (label: string, p: ScalePhase | undefined) =>
      rows.push([
        `${r.contender}${r.error ? ` (ERROR ${r.error.split('\n')[0]})` : ''}`,
        label,
        num(r.connections),
        num(p?.received),
        p === undefined ? '-' : `${p.lost}${p.closedEarly ? ` (${p.closedEarly} closed)` : ''}`,
        num(ms(p?.p50), 1),
        num(ms(p?.p99), 1),
        num(ms(p?.max), 1),
        list(p?.cpuPerFrame, 1, 2),
        num(p?.redisCpuPerFrame, 3),
        list(r.heapPerConnection, 1024, 2),
        list(r.rssPerConnection, 1024, 2),
        list(r.rss, 1024 * 1024, 0),
      ]);
    phase(`${scenario.seconds} × 1/s`, r.paced);
    phase(`burst ${scenario.burst}`, r.burst);
  }
  return `### Past one process: ${num(scenario.perProcess)} connections per hub process, a broadcast a second for ${scenario.seconds} s, then ${scenario.burst} at once\n${table(
    [
      'contender',
      'phase',
      'connections',
      'frames',
      'lost',
      'p50 ms',
      'p99 ms',
      'max ms',
      'hub CPU µs/frame (per process)',
      'redis CPU µs/frame',
      'heap KiB/conn',
      'RSS KiB/conn',
      'RSS MiB',
    ],
    rows,
  )}`;
}
