import type { BrokerAppend, BrokerEvent } from '@ssekit/server';

/**
 * How an event lives in the stream. Redis assigns the id (`<ms>-<seq>`, ordered and shared by
 * every process); the fields are short because they are stored once per event:
 *
 * - `n` — the entry's number in this stream: each entry's is its predecessor's + 1, so a reader
 *   sees at once when entries were lost (trimmed before it read them, or a Redis that restarted
 *   empty). A stream that starts empty starts at `<Redis time in ms> × 1000`, so a stream that
 *   was lost and begun again never continues the old numbering: its identity is its numbering.
 * - `t` — the SSE event name; `d` — the `data:` text; `p` — the topic; `u` — the users (JSON).
 *
 * An entry with `n` alone is a position marker. Every numbering begins with one: `HEAD_SCRIPT`
 * and `APPEND_SCRIPT` (`luaScripts.ts`) write it in an empty stream and in one rewound behind
 * what the process saw, so every position handed to a client is a real entry (a client resuming
 * from it replays exactly what came after), and a marker after a reader's place means what lay
 * between was lost. Markers are never delivered.
 * @internal
 */
export interface StreamEntry {
  readonly id: string;
  readonly n: number;
  /** `undefined` for a position marker (and for a bad entry). */
  readonly event: BrokerEvent | undefined;
  /** Why the entry cannot be decoded; `undefined` for every entry the broker wrote. */
  readonly bad?: string | undefined;
}

/** @internal The field/value pairs an event is stored as (after `n`, which the script adds). */
export function entryFields(event: BrokerAppend): string[] {
  const fields = ['t', event.type, 'd', event.data];
  if (event.topic !== undefined) fields.push('p', event.topic);
  if (event.to !== undefined) fields.push('u', JSON.stringify(event.to));
  return fields;
}

/** @internal A number as the scripts write it. */
const NUMBER = /^\d{1,16}$/;

/**
 * @internal One `[id, [field, value, …]]` of an XRANGE or XREAD reply. Never throws: an entry
 * the broker cannot decode (written by another tool, a bug, another version) comes back with
 * `bad` saying why, so a reader skips it instead of retrying the same read for ever.
 */
function parseEntry(raw: unknown): StreamEntry {
  const [id, fields] = raw as [string, unknown];
  let n = Number.NaN;
  let type: string | undefined;
  let data = '';
  let topic: string | undefined;
  let to: string[] | undefined;
  let bad: string | undefined;
  const list = Array.isArray(fields) ? (fields as unknown[]) : [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const value = list[i + 1];
    if (typeof value !== 'string') {
      bad ??= `field ${String(list[i])} is not a string`;
      continue;
    }
    switch (list[i]) {
      case 'n':
        if (NUMBER.test(value)) n = Number(value);
        break;
      case 't':
        type = value;
        break;
      case 'd':
        data = value;
        break;
      case 'p':
        topic = value;
        break;
      case 'u':
        to = recipients(value);
        if (to === undefined) bad ??= '`u` is not a JSON list of user ids';
        break;
    }
  }
  if (!Number.isSafeInteger(n)) bad ??= 'it has no entry number `n`';
  if (bad !== undefined) return { id, n, event: undefined, bad };
  const event = type === undefined ? undefined : { id, type, data, topic, to };
  return { id, n, event };
}

/** @internal `u`: a non-empty JSON list of strings, else `undefined`. */
function recipients(value: string): string[] | undefined {
  try {
    const list: unknown = JSON.parse(value);
    if (Array.isArray(list) && list.length > 0 && list.every((u) => typeof u === 'string'))
      return list as string[];
  } catch {
    // not JSON: reported as a bad entry
  }
  return undefined;
}

/** @internal The entries of an XRANGE reply. */
export function parseRange(reply: unknown): StreamEntry[] {
  return Array.isArray(reply) ? reply.map(parseEntry) : [];
}

/**
 * @internal The entries of a one-stream XREAD reply: `null` on timeout, a map `{ key: entries }`
 * over RESP3, `[[key, entries]]` over RESP2.
 */
export function parseRead(reply: unknown): StreamEntry[] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) return parseRange((reply[0] as [string, unknown] | undefined)?.[1]);
  if (reply instanceof Map) return parseRange(reply.values().next().value);
  return parseRange(Object.values(reply as Record<string, unknown>)[0]);
}

/** @internal The `{ id, n }` a script returns. */
export function parsePosition(reply: unknown): { id: string; n: number } {
  const [id, n] = reply as [string, string | number];
  return { id, n: Number(n) };
}
