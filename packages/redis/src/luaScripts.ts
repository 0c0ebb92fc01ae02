import { createHash } from 'node:crypto';

/**
 * @internal `last`, the newest entry, and `n`, the number of the newest numbered one (an entry
 * another tool wrote without a valid `n` is passed over, so the numbering goes on across it).
 * `numberOf` and `fmt` are used by the rest of each script.
 */
const NUMBER_OF_LAST = `
local function numberOf(entry)
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'n' and string.match(fields[i + 1], '^%d+$') then return tonumber(fields[i + 1]) end
  end
end
local function fmt(x) return string.format('%.0f', x) end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local n
if last then
  n = numberOf(last)
  if not n then
    for _, entry in ipairs(redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 100)) do
      n = numberOf(entry)
      if n then break end
    end
  end
end
`;

/**
 * @internal `rewound(seenId, seenN)`: was history taken back behind an entry this process saw
 * (`HighWater`)? The stream holds no entry from `seenId` on (its end is older than what was
 * seen), or the one at `seenId` has another number, or the first one after it (`seenId` trimmed)
 * is not numbered past it — as after a restore from an older snapshot, whose new entries reuse
 * the lost entries' numbers.
 */
const REWOUND = `
local function rewound(seenId, seenN)
  if seenId == '' or not seenN or not last then return false end
  local at = redis.call('XRANGE', KEYS[1], seenId, '+', 'COUNT', 1)[1]
  if not at then return true end
  local m = numberOf(at)
  if not m then return false end
  if at[1] == seenId then return m ~= seenN end
  return m <= seenN
end
`;

/** @internal Redis time in ms (the clock of stream ids and of the age bound). */
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * @internal The first number of a new numbering: Redis time × 1000, and past every number this
 * stream or this process had (`seen`), so it never continues an old numbering.
 */
const BASE = `
local function base(seenN)
  return math.max(now * 1000, (n or 0) + 1000, (seenN or 0) + 1000)
end
`;

/**
 * Append one event atomically: number it after the newest entry, XADD it (trimming by length),
 * trim by age. A stream that is empty, or was rewound behind what this process saw, first gets
 * a position marker that begins a new numbering, so every numbering starts with a marker: a
 * reader that lost its place goes on from it and misses none of the new events.
 * KEYS[1] the stream; ARGV: maxLen (or ''), maxAge ms (or ''), the high-water id and number (or
 * '' twice), then field/value pairs. Returns `{ id, n }`. Numbers are formatted with `%.0f`: Lua
 * would print 1.7e+15.
 * @internal
 */
export const APPEND_SCRIPT = `${NUMBER_OF_LAST}${REWOUND}${NOW_MS}${BASE}
local seenN = tonumber(ARGV[4])
if not n or rewound(ARGV[3], seenN) then
  n = base(seenN)
  redis.call('XADD', KEYS[1], '*', 'n', fmt(n))
end
n = n + 1
local args = { 'XADD', KEYS[1] }
if ARGV[1] ~= '' then
  args[#args + 1] = 'MAXLEN'
  args[#args + 1] = '~'
  args[#args + 1] = ARGV[1]
end
args[#args + 1] = '*'
args[#args + 1] = 'n'
args[#args + 1] = fmt(n)
for i = 5, #ARGV do args[#args + 1] = ARGV[i] end
local id = redis.call(unpack(args))
if ARGV[2] ~= '' then
  redis.call('XTRIM', KEYS[1], 'MINID', '~', fmt(now - tonumber(ARGV[2])))
end
return { id, fmt(n) }
`;

/**
 * The newest entry's id and the number the next entry continues; in an empty stream, or one
 * rewound behind what this process saw, writes a position marker first (a new numbering), so
 * the answer is always a real entry and a rewind shows in the stream for every process.
 * KEYS[1] the stream; ARGV: the high-water id and number (or '' twice). Returns `{ id, n }`.
 * @internal
 */
export const HEAD_SCRIPT = `${NUMBER_OF_LAST}${REWOUND}
local seenN = tonumber(ARGV[2])
if n and not rewound(ARGV[1], seenN) then return { last[1], fmt(n) } end
${NOW_MS}${BASE}
local first = base(seenN)
return { redis.call('XADD', KEYS[1], '*', 'n', fmt(first)), fmt(first) }
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
