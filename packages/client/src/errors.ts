import { SsekitError } from '@ssekit/core';

/**
 * The server answered with a status that ends or delays the stream (code `http-status`): 5xx,
 * 408 and 429 are retried (honouring `Retry-After`), 401/403 get one credential refresh, any other
 * status is final.
 */
export class HttpError extends SsekitError {
  /** The response status. */
  readonly status: number;
  /** The start of the response body (up to 256 characters), for logs. */
  readonly bodyExcerpt: string;

  constructor(status: number, bodyExcerpt: string) {
    super(
      'http-status',
      `Event stream answered HTTP ${status}${bodyExcerpt && `: ${bodyExcerpt}`}`,
    );
    this.name = 'HttpError';
    this.status = status;
    this.bodyExcerpt = bodyExcerpt;
  }
}

/**
 * The server answered 200 with a `Content-Type` other than `text/event-stream` (code
 * `content-type`) — usually an HTML error page or a JSON API at the wrong URL. Final: retrying
 * would get the same answer.
 */
export class ContentTypeError extends SsekitError {
  /** The `Content-Type` received (`null` when absent). */
  readonly contentType: string | null;
  /** The start of the response body (up to 256 characters), for logs. */
  readonly bodyExcerpt: string;

  constructor(contentType: string | null, bodyExcerpt: string) {
    super(
      'content-type',
      `Expected Content-Type text/event-stream, got ${contentType}${bodyExcerpt && `: ${bodyExcerpt}`}`,
    );
    this.name = 'ContentTypeError';
    this.contentType = contentType;
    this.bodyExcerpt = bodyExcerpt;
  }
}

/**
 * Read the first 256 characters of a body that is not an event stream, for an error message.
 * Stops early so a huge or endless body is never read whole; failures give what was read.
 * @internal
 */
export async function readExcerpt(res: Response): Promise<string> {
  let text = '';
  try {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (let r = await reader.read(); !r.done && text.length < 256; r = await reader.read()) {
      text += decoder.decode(r.value, { stream: true });
    }
  } catch {}
  return text.slice(0, 256);
}
