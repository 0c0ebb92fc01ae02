/**
 * A deterministic "recorded" SSE stream for the client-parse bench: mixed event sizes, named and
 * unnamed events, ids, multi-line data, CRLF frames, comments (heartbeats), a `retry:`, non-ASCII
 * text, cut into network-sized chunks that split lines, fields and UTF-8 sequences anywhere.
 */

/** Event names used (besides the default `message`). */
export const EVENT_NAMES = ['notification', 'sync.progress', 'log', 'user.deleted'] as const;

export interface RecordedStream {
  chunks: Uint8Array[];
  bytes: number;
  events: number;
  /** Sum of `data.length` (UTF-16 units, as a parser hands it over) over every event. */
  dataChars: number;
}

/** mulberry32: a tiny seeded PRNG, so every run and every child sees the same stream. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'lorem ipsum dolor sit amet sync page user deleted notification unread progress total café naïve 進捗 ✓'.split(
    ' ',
  );

/** Text of about `length` chars (JSON-safe, no line breaks). */
function text(rand: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += `${WORDS[Math.floor(rand() * WORDS.length)]} `;
  return out.slice(0, length);
}

/**
 * Payload sizes: half tiny (10–80 chars, status pings), a third small (80–1,000), the rest
 * 1–8 KB documents and a few 8–64 KB ones, as a notification/log/sync stream mixes them.
 */
function dataLength(rand: () => number): number {
  const r = rand();
  if (r < 0.5) return 10 + Math.floor(rand() * 70);
  if (r < 0.85) return 80 + Math.floor(rand() * 920);
  if (r < 0.98) return 1_000 + Math.floor(rand() * 7_000);
  return 8_000 + Math.floor(rand() * 56_000);
}

/** Generate at least `megabytes` MB of stream from `seed`. */
export function recordStream(megabytes: number, seed: number): RecordedStream {
  const rand = prng(seed);
  const target = megabytes * 1024 * 1024;
  const parts: string[] = ['retry: 3000\n\n'];
  let chars = parts[0]!.length;
  let events = 0;
  let dataChars = 0;
  let id = 0;
  while (chars < target) {
    const crlf = rand() < 0.05;
    const nl = crlf ? '\r\n' : '\n';
    let frame = '';
    if (rand() < 0.02) frame += `: heartbeat${nl}${nl}`;
    const named = rand() < 0.8;
    if (named) frame += `event: ${EVENT_NAMES[Math.floor(rand() * EVENT_NAMES.length)]}${nl}`;
    if (rand() < 0.7) frame += `id: ${++id}${nl}`;
    const len = dataLength(rand);
    let data: string;
    if (rand() < 0.1) {
      // Multi-line data: 2–5 lines, joined with LF by the parser.
      const lines = 2 + Math.floor(rand() * 4);
      const each = Math.max(1, Math.floor(len / lines));
      const ls: string[] = [];
      for (let i = 0; i < lines; i++) ls.push(text(rand, each));
      data = ls.join('\n');
      frame += ls.map((l) => `data: ${l}${nl}`).join('');
    } else {
      data = `{"n":${events},"text":"${text(rand, len)}"}`;
      frame += `data: ${data}${nl}`;
    }
    frame += nl;
    parts.push(frame);
    chars += frame.length;
    events++;
    dataChars += data.length;
  }
  const bytes = new TextEncoder().encode(parts.join(''));
  // Network-sized reads: 512 B – 16 KB, cut anywhere.
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 512 + Math.floor(rand() * 16_384);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return { chunks, bytes: bytes.length, events, dataChars };
}

/** A fresh `Response` whose body replays `chunks` from memory, one per pull. */
export function replay(chunks: readonly Uint8Array[]): Response {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
  });
}
