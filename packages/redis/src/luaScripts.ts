import { createHash } from 'node:crypto';

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
