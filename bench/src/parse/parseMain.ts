/**
 * The child of the client-parse bench: records the stream in memory, warms the contender up on a
 * small stream, then times one pass over the full one. One process per (contender, round), so no
 * contender runs on JIT state or garbage another left behind.
 */
import { loadContender } from '../contender';
import { EVENT_NAMES, type RecordedStream, recordStream, replay } from './recordedStream';

const [file, mb, seedArg] = process.argv.slice(2);
if (!file || !mb || !seedArg) throw new Error('usage: parseMain.ts <contender file> <MB> <seed>');
const contender = await loadContender('parse', file);

/**
 * A `fetch` that answers the first request with the recorded stream; later requests (a library
 * reconnecting after the end) wait until aborted, as a server that is gone would.
 */
function fetchFor(stream: RecordedStream): typeof fetch {
  let calls = 0;
  return (async (_input: unknown, init?: RequestInit) => {
    if (calls++ === 0) return replay(stream.chunks);
    return new Promise<Response>((_, reject) => {
      const signal = init?.signal;
      const abort = () => reject(new DOMException('The operation was aborted.', 'AbortError'));
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
    });
  }) as typeof fetch;
}

async function pass(stream: RecordedStream) {
  const start = performance.now();
  const result = await contender.run({
    fetch: fetchFor(stream),
    url: 'http://127.0.0.1:9/recorded',
    expectedEvents: stream.events,
    eventNames: EVENT_NAMES,
  });
  return { seconds: (performance.now() - start) / 1000, ...result };
}

await pass(recordStream(2, Number(seedArg) + 1));
const stream = recordStream(Number(mb), Number(seedArg));
globalThis.gc?.();
const measured = await pass(stream);
process.send?.({
  ...measured,
  bytes: stream.bytes,
  expectedEvents: stream.events,
  expectedChars: stream.dataChars,
});
process.disconnect?.();
