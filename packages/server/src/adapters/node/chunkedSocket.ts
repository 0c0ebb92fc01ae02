import { ServerResponse as NodeServerResponse, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Chunked HTTP/1.1 bodies written straight to the socket. `res.write` frames every chunk itself
 * (size line, data, CRLF: four buffered pieces, a cork and a tick per write) — most of the
 * library's CPU per recipient. A hub writes the same bytes to thousands of responses, so the
 * framed chunk is built once per frame and each recipient costs one `socket.write` of a shared
 * Buffer: one syscall, no per-write allocation. Used only where the result is byte-for-byte what
 * `res.write` would send: a plain `node:http` response whose head is out, that frames chunks
 * itself, and whose `write` nobody wrapped (`compression()` and the like keep `res.write`).
 * @internal
 */

/** @internal The response's socket when its body may be written to it directly. */
export function chunkedSocket(res: unknown): Socket | undefined {
  const r = res as ServerResponse & { chunkedEncoding?: boolean; flush?: unknown };
  if (
    !(r instanceof NodeServerResponse) ||
    r.chunkedEncoding !== true ||
    !r.headersSent ||
    r.write !== NodeServerResponse.prototype.write ||
    r.flush !== undefined ||
    r.writableLength !== 0
  )
    return undefined;
  const socket = r.socket as Socket | null;
  // A socket still busy with an earlier pipelined response is not this response's yet.
  if (socket === null || (socket as { _httpMessage?: unknown })._httpMessage !== r)
    return undefined;
  return socket;
}

/** @internal The last chunk framed, and its framing: a broadcast frames once. */
let lastChunk: Uint8Array | undefined;
/** @internal */
let lastFramed: Buffer | undefined;

/** @internal `chunk` as one HTTP/1.1 chunk: hex size, CRLF, data, CRLF. */
export function framedChunk(chunk: Uint8Array): Buffer {
  if (chunk !== lastChunk) {
    const size = chunk.byteLength.toString(16);
    const out = Buffer.allocUnsafe(size.length + chunk.byteLength + 4);
    out.write(size, 0, 'latin1');
    let at = size.length;
    out[at++] = 13;
    out[at++] = 10;
    out.set(chunk, at);
    at += chunk.byteLength;
    out[at++] = 13;
    out[at] = 10;
    lastChunk = chunk;
    lastFramed = out;
  }
  return lastFramed!;
}
