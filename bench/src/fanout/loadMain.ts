/**
 * The load-generator child of the fan-out bench: raw `node:net` sockets speaking just enough
 * HTTP/1.1 to open an SSE response, then counting payloads and reading their timestamps straight
 * from the bytes (no SSE or chunked-encoding parser), so the generator stays cheaper than any
 * server it measures.
 */
import { connect, type Socket } from 'node:net';
import { serveCommands } from '../child';
import { nowMicros } from '../clock';
import { LatencyHistogram } from '../stats';
import { MARKER } from './payload';

const MARKER_BYTES = Buffer.from(MARKER);
const FRAME_END = Buffer.from('\n\n');
const ZERO = 0x30;

/** One SSE connection: counts complete frames' payloads; keeps an unfinished frame as `carry`. */
class Connection {
  carry: Buffer | undefined;
  opened = false;
  closed = false;
  received = 0;
  constructor(readonly socket: Socket) {}
}

const connections: Connection[] = [];
let histogram = new LatencyHistogram();
let expected = 0;
let received = 0;
let firstAt = 0;
let lastAt = 0;
let closedEarly = 0;
let onProgress: (() => void) | undefined;

/**
 * Read every complete frame in `chunk` (plus the carried start of one): each `{"t":<digits>`
 * is one delivered event, its latency is now − t. Frame boundaries are tracked only so a
 * payload split across reads is never counted twice or half.
 */
function onData(conn: Connection, chunk: Buffer): void {
  conn.opened = true;
  const buf = conn.carry ? Buffer.concat([conn.carry, chunk]) : chunk;
  const end = buf.lastIndexOf(FRAME_END);
  if (end === -1) {
    conn.carry = Buffer.from(buf);
    return;
  }
  conn.carry = end + 2 < buf.length ? Buffer.from(buf.subarray(end + 2)) : undefined;
  let at = buf.indexOf(MARKER_BYTES, 0);
  if (at === -1 || at > end) return;
  const now = nowMicros();
  if (firstAt === 0) firstAt = now;
  lastAt = now;
  while (at !== -1 && at < end) {
    let i = at + MARKER_BYTES.length;
    let t = 0;
    for (let c = buf[i]!; c >= ZERO && c <= ZERO + 9; c = buf[++i]!) t = t * 10 + (c - ZERO);
    histogram.record(now - t);
    conn.received++;
    received++;
    at = buf.indexOf(MARKER_BYTES, i);
  }
  if (received >= expected) onProgress?.();
}

function open(port: number, path: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    const conn = new Connection(socket);
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`,
      );
    });
    // The first bytes are the response head (every contender flushes it at once): open.
    socket.once('data', (chunk: Buffer) => {
      if (!chunk.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 200')) {
        reject(new Error(`unexpected response: ${chunk.subarray(0, 80).toString('latin1')}`));
        socket.destroy();
        return;
      }
      conn.opened = true;
      const bodyAt = chunk.indexOf('\r\n\r\n');
      socket.on('data', (c: Buffer) => onData(conn, c));
      if (bodyAt !== -1 && bodyAt + 4 < chunk.length) onData(conn, chunk.subarray(bodyAt + 4));
      resolve(conn);
    });
    socket.on('error', (error) => {
      if (!conn.opened) reject(error);
    });
    socket.on('close', () => {
      if (conn.opened && !conn.closed) closedEarly++;
      conn.closed = true;
    });
  });
}

serveCommands({
  /** Open `count` more connections, `concurrency` handshakes at a time; user = index % users. */
  async connect(msg) {
    const {
      port,
      count,
      users,
      concurrency = 1024,
    } = msg as {
      port: number;
      count: number;
      users?: number;
      concurrency?: number;
    };
    const start = connections.length;
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = start + next++;
        const path = users ? `/sse?user=u${index % users}` : '/sse';
        connections.push(await open(port, path));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return { connections: connections.length };
  },

  /** Reset the counters and expect `total` payloads in all. */
  expect(msg) {
    histogram = new LatencyHistogram();
    expected = msg.total;
    received = 0;
    firstAt = 0;
    lastAt = 0;
    closedEarly = 0;
    for (const conn of connections) conn.received = 0;
    return {};
  },

  /**
   * Resolve once every expected payload arrived, or when nothing arrived for `idleMs`
   * (whatever is missing then counts as lost).
   */
  async collect(msg) {
    const idleMs = msg.idleMs as number;
    await new Promise<void>((resolve) => {
      let last = -1;
      const timer = setInterval(() => {
        if (received === last) done();
        last = received;
      }, idleMs);
      const done = () => {
        clearInterval(timer);
        onProgress = undefined;
        resolve();
      };
      onProgress = () => {
        if (received >= expected) done();
      };
      onProgress();
    });
    let silent = 0;
    for (const conn of connections) if (conn.received === 0) silent++;
    return {
      expected,
      received,
      firstAt,
      lastAt,
      closedEarly,
      silentConnections: expected > 0 ? silent : 0,
      p50: histogram.percentile(0.5),
      p99: histogram.percentile(0.99),
      max: histogram.percentile(1),
      negative: histogram.negative,
    };
  },

  /** The latency histogram since `expect`, sparse: [µs, count] pairs (to merge processes). */
  histogram() {
    const pairs: [number, number][] = [];
    histogram.fine.forEach((n, us) => {
      if (n > 0) pairs.push([us, n]);
    });
    histogram.coarse.forEach((n, ms) => {
      if (n > 0) pairs.push([ms * 1000, n]);
    });
    return { pairs };
  },

  /** Close every socket with a reset (no TIME_WAIT left to exhaust ports across rounds). */
  close() {
    for (const conn of connections) {
      conn.closed = true;
      conn.socket.resetAndDestroy();
    }
    setImmediate(() => process.exit(0));
    return {};
  },
});

process.send?.({ ready: true });
