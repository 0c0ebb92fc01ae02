import { readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The payload of every fan-out event. Its JSON always starts with `{"t":`, which is how the load
 * generator finds the publish timestamp in the bytes without parsing SSE.
 */
export interface TickPayload {
  /** Publish time, µs on the shared monotonic clock ({@link nowMicros}). */
  t: number;
  /** Sequence number of the publish. */
  seq: number;
  /** Filler so the JSON is about 100 bytes. */
  pad: string;
}

/** The SSE event name every fan-out contender uses. */
export const TICK_EVENT = 'tick';

/** One server under test, inside the server child. */
export interface FanoutServer {
  /**
   * Turn one HTTP request into an SSE connection (headers flushed at once). `user` is set in the
   * targeted scenario (from `?user=`), `undefined` in broadcast scenarios.
   */
  handle(req: IncomingMessage, res: ServerResponse, user: string | undefined): void;
  /** Send one `tick` event carrying `data` to every connection. */
  broadcast(data: TickPayload): void;
  /** Send one `tick` event to every connection of `user`. Without it the targeted scenario is skipped. */
  publishTo?(user: string, data: TickPayload): void;
  /** Connections registered and able to receive (the harness waits for all of them). */
  connections(): number;
  /** Release timers and connections. */
  close(): void | Promise<void>;
}

/** A fan-out contender: a file in `contenders/` whose default export is this. */
export interface FanoutContender {
  kind: 'fanout';
  /** Short name used in tables and `--contenders`. */
  name: string;
  /** One line: what is measured, and how the library is used. */
  description: string;
  /** `false` when the server has no `publishTo`: the targeted scenarios leave it out. */
  targeted?: boolean;
  /** `targeted`: the scenario publishes to users, so index connections by `user`. */
  create(options: { targeted: boolean }): FanoutServer | Promise<FanoutServer>;
}

/** What a parse contender reports: the harness checks both against the recorded stream. */
export interface ParseResult {
  events: number;
  /** Sum of `data.length` over every event (a checksum that the data was really read). */
  dataChars: number;
}

/** A client-parse contender: reads a recorded stream from a `Response`. */
export interface ParseContender {
  kind: 'parse';
  name: string;
  description: string;
  /**
   * Read every event from the response that `fetch` returns (call it once per request the
   * library makes) and resolve once `expectedEvents` events have been dispatched, or the stream
   * has ended. Event names used: `message` (no `event:` field) and the names in `eventNames`.
   */
  run(options: {
    fetch: typeof fetch;
    url: string;
    expectedEvents: number;
    eventNames: readonly string[];
  }): Promise<ParseResult>;
}

export type Contender = FanoutContender | ParseContender;

/** A contender file that could not be loaded (e.g. its package does not export what it needs yet). */
export interface SkippedContender {
  file: string;
  reason: string;
}

const CONTENDERS_DIR = new URL('./contenders/', import.meta.url);

/** A contender with the file it came from (children load that one file only). */
export type Loaded<C extends Contender = Contender> = C & { file: string };

/** Import one contender file; `null` (with the reason) when it is unavailable. */
async function importContender(
  file: string,
): Promise<{ contender: Loaded | null; reason?: string }> {
  try {
    const mod = (await import(new URL(file, CONTENDERS_DIR).href)) as {
      default?: Contender | null;
      unavailable?: string;
    };
    if (!mod.default) return { contender: null, reason: mod.unavailable ?? 'no default export' };
    return { contender: { ...mod.default, file } };
  } catch (error) {
    return { contender: null, reason: firstLine(error) };
  }
}

/**
 * Load every contender file. A file whose import fails, or whose default export is `null` (the
 * library lacks an API; it exports `unavailable` with the reason), is skipped with its reason, so a
 * package that does not exist yet never breaks a run.
 */
export async function loadContenders(): Promise<{
  contenders: Loaded[];
  skipped: SkippedContender[];
}> {
  const files = (await readdir(CONTENDERS_DIR)).filter((f) => /\.ts$/.test(f)).sort();
  const contenders: Loaded[] = [];
  const skipped: SkippedContender[] = [];
  for (const file of files) {
    const { contender, reason } = await importContender(file);
    if (contender) contenders.push(contender);
    else skipped.push({ file, reason: reason ?? 'unknown' });
  }
  return { contenders, skipped };
}

/** Load one contender file of the given kind inside a child process, or throw why not. */
export async function loadContender<K extends Contender['kind']>(
  kind: K,
  file: string,
): Promise<Extract<Contender, { kind: K }>> {
  const { contender, reason } = await importContender(file);
  if (!contender) throw new Error(`contender ${file} is unavailable: ${reason}`);
  if (contender.kind !== kind)
    throw new Error(`contender ${file} is ${contender.kind}, not ${kind}`);
  return contender as unknown as Extract<Contender, { kind: K }>;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
