import { createHash } from 'node:crypto';
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
 * An entry with `n` alone is a position marker, written by {@link HEAD_SCRIPT} in an empty
 * stream so that every position handed to a client is a real entry (a client resuming from it
 * replays exactly what came after). Markers are never delivered.
 * @internal
 */
export interface StreamEntry {
  readonly id: string;
  readonly n: number;
  /** `undefined` for a position marker. */
  readonly event: BrokerEvent | undefined;
}

/** @internal A Redis stream id as XADD assigns it. */
export const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** @internal The `n` of the newest entry (or the base of a new stream), shared by both scripts. */
const NUMBER_OF_LAST = `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local n
if last then
  local fields = last[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'n' then n = tonumber(fields[i + 1]) end
  end
end
`;

/** @internal Redis time in ms (the clock of stream ids and of the age bound). */
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * Append one event atomically: number it after the newest entry, XADD it (trimming by length),
 * trim by age. KEYS[1] the stream; ARGV: maxLen (or ''), maxAge ms (or ''), then field/value
 * pairs. Returns `{ id, n }`. Numbers are formatted with `%.0f`: Lua would print 1.7e+15.
 * @internal
 */
export const APPEND_SCRIPT = `${NUMBER_OF_LAST}${NOW_MS}
if n then n = n + 1 else n = now * 1000 end
local args = { 'XADD', KEYS[1] }
if ARGV[1] ~= '' then
  args[#args + 1] = 'MAXLEN'
  args[#args + 1] = '~'
  args[#args + 1] = ARGV[1]
end
args[#args + 1] = '*'
args[#args + 1] = 'n'
args[#args + 1] = string.format('%.0f', n)
for i = 3, #ARGV do args[#args + 1] = ARGV[i] end
local id = redis.call(unpack(args))
if ARGV[2] ~= '' then
  redis.call('XTRIM', KEYS[1], 'MINID', '~', string.format('%.0f', now - tonumber(ARGV[2])))
end
return { id, string.format('%.0f', n) }
`;

/**
 * The newest entry's id and `n`; in an empty stream, writes a position marker first, so the
 * answer is always a real entry. KEYS[1] the stream. Returns `{ id, n }`.
 * @internal
 */
export const HEAD_SCRIPT = `${NUMBER_OF_LAST}
if last then return { last[1], string.format('%.0f', n or 0) } end
${NOW_MS}
local base = string.format('%.0f', now * 1000)
return { redis.call('XADD', KEYS[1], '*', 'n', base), base }
`;

/** @internal A script and the SHA1 that EVALSHA names it by. */
export interface Script {
  readonly source: string;
  readonly sha1: string;
}

/** @internal */
export function script(source: string): Script {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** @internal The field/value pairs an event is stored as (after `n`, which the script adds). */
export function entryFields(event: BrokerAppend): string[] {
  const fields = ['t', event.type, 'd', event.data];
  if (event.topic !== undefined) fields.push('p', event.topic);
  if (event.to !== undefined) fields.push('u', JSON.stringify(event.to));
  return fields;
}

/** @internal One `[id, [field, value, …]]` of an XRANGE or XREAD reply. */
export function parseEntry(raw: unknown): StreamEntry {
  const [id, fields] = raw as [string, string[]];
  let n = Number.NaN;
  let type: string | undefined;
  let data = '';
  let topic: string | undefined;
  let to: string[] | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1]!;
    switch (fields[i]) {
      case 'n':
        n = Number(value);
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
        to = JSON.parse(value) as string[];
        break;
    }
  }
  const event = type === undefined ? undefined : { id, type, data, topic, to };
  return { id, n, event };
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

/**
 * Order two stream ids (`<ms>-<seq>`, each up to 2^64) without BigInt: by the length of each
 * decimal part, then its digits. Anything that is not a stream id orders first.
 *
 * @example
 * ```ts
 * compareStreamIds('1700000000000-1', '1700000000000-2'); // < 0
 * compareStreamIds('99-0', '100-0'); // < 0: numeric, not string order
 * ```
 */
export function compareStreamIds(a: string, b: string): number {
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  if (!STREAM_ID.test(a)) return STREAM_ID.test(b) ? -1 : 0;
  if (!STREAM_ID.test(b)) return 1;
  return (
    compareDigits(a.slice(0, da), b.slice(0, db)) || compareDigits(a.slice(da + 1), b.slice(db + 1))
  );
}

/** @internal Two decimal numbers without leading zeros (as Redis writes them). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
