import type { Broker, BrokerEvent, SinkEvents, StreamSink } from '../src/index';

/** An in-process {@link StreamSink} that records writes; `accept` controls backpressure. */
export interface MemorySink extends StreamSink {
  readonly chunks: Uint8Array[];
  /** Everything written, decoded. */
  readonly text: string;
  /** Bytes the pretend reader has not taken. */
  bufferedBytes: number;
  /** Whether `write` reports room (true) or backpressure (false). */
  accept: boolean;
  closedWith: 'graceful' | 'abort' | undefined;
  events: SinkEvents | undefined;
  /** The pretend client disconnects. */
  disconnect(): void;
  /** The pretend reader takes everything. */
  drain(): void;
}

const decoder = new TextDecoder();

export function memorySink(options: { buffer?: boolean } = {}): MemorySink {
  const sink: MemorySink = {
    chunks: [],
    get text() {
      return sink.chunks.map((c) => decoder.decode(c)).join('');
    },
    bufferedBytes: 0,
    accept: true,
    closedWith: undefined,
    events: undefined,
    bind(events) {
      sink.events = events;
    },
    write(chunk) {
      sink.chunks.push(chunk);
      if (options.buffer) sink.bufferedBytes += chunk.byteLength;
      return sink.accept;
    },
    close(graceful) {
      sink.closedWith = graceful ? 'graceful' : 'abort';
    },
    disconnect() {
      sink.events?.onClose();
    },
    drain() {
      sink.bufferedBytes = 0;
      sink.accept = true;
      sink.events?.onDrain();
    },
  };
  return sink;
}

/** Let queued microtasks (the write coalescing) run. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resolve when the stream closes (for `onStream` handlers that keep the stream open). */
export function untilClosed(stream: { signal: AbortSignal }): Promise<void> {
  return new Promise((resolve) => {
    if (stream.signal.aborted) resolve();
    else stream.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Number of live timers in this process (`setTimeout`/`setInterval` handles). */
export function liveTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

/** The events a stream carries in the peer-client tests, with the awkward cases. */
export const SAMPLE_EVENTS = [
  { type: 'notification', data: { id: 'n1', title: 'Hello', unread: 1 }, id: '1' },
  { type: 'notification', data: { id: 'n2', title: 'línea\nsegunda ✓', unread: 2 }, id: '2' },
  { type: 'sync.progress', data: { page: 1, totalPages: 3 }, id: '3' },
  { type: 'sync.progress', data: { page: 2, totalPages: 3 }, id: undefined },
] as const;

export { seededRandom } from '@ssekit/test-utils';

/**
 * Wrap a broker so it behaves like a remote log: `append` and `readAfter` resolve on a later
 * turn of the event loop, and fan-out lags behind the log (delivered in order, in batches).
 */
export function laggyBroker(inner: Broker): Broker {
  const queue: BrokerEvent[] = [];
  const listeners = new Set<(event: BrokerEvent) => void>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    for (const event of queue.splice(0)) for (const listener of listeners) listener(event);
  };
  inner.subscribe((event) => {
    queue.push(event);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
  return {
    append: async (event) => {
      await tick();
      return inner.append(event);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    readAfter: async (id) => {
      await tick();
      return inner.readAfter(id);
    },
    compare: (a, b) => inner.compare(a, b),
  };
}
