/** The client-parse orchestrator: one child per (round, contender), contenders alternating. */
import { BenchChild } from '../child';
import type { Loaded, ParseContender } from '../contender';

const PARSE = new URL('./parseMain.ts', import.meta.url);

export interface ParseRound {
  contender: string;
  round: number;
  error?: string;
  megabytesPerSec?: number;
  eventsPerSec?: number;
  seconds?: number;
  bytes?: number;
  events?: number;
}

async function runRound(
  contender: Loaded<ParseContender>,
  megabytes: number,
  seed: number,
  round: number,
): Promise<ParseRound> {
  const result: ParseRound = { contender: contender.name, round };
  const child = new BenchChild(PARSE, [contender.file, String(megabytes), String(seed)], {
    cpu: 0,
    nodeFlags: ['--expose-gc'],
  });
  try {
    const r = await child.next(180_000);
    const seconds = r.seconds as number;
    const bytes = r.bytes as number;
    if (r.events !== r.expectedEvents || r.dataChars !== r.expectedChars) {
      throw new Error(
        `read ${r.events}/${r.expectedEvents} events, ${r.dataChars}/${r.expectedChars} data chars`,
      );
    }
    result.seconds = seconds;
    result.bytes = bytes;
    result.events = r.events as number;
    result.megabytesPerSec = bytes / (1024 * 1024) / seconds;
    result.eventsPerSec = (r.events as number) / seconds;
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await child.stop();
  }
  return result;
}

/** Round `round`: each contender once, in the same order every round. */
export async function runParseRound(
  contenders: Loaded<ParseContender>[],
  megabytes: number,
  seed: number,
  round: number,
  rounds: number,
  log: (line: string) => void,
): Promise<ParseRound[]> {
  const results: ParseRound[] = [];
  for (const contender of contenders) {
    const r = await runRound(contender, megabytes, seed, round);
    results.push(r);
    log(
      `  parse round ${round + 1}/${rounds} ${contender.name}: ${
        r.error ? `ERROR ${r.error}` : `${r.megabytesPerSec?.toFixed(1)} MB/s`
      }`,
    );
  }
  return results;
}
