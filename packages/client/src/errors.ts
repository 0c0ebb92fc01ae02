import { SsekitError, type SsekitErrorCode } from '@ssekit/core';

/**
 * The server answered with a status that ends or delays the stream (code `http-status`): 5xx,
 * 408 and 429 are retried (honouring `Retry-After`), 401/403 get one credential refresh, any other
 * status is final.
 *
 * @example
 * ```ts
 * const stream = connect('/api/events', { events });
 * stream.onError((error) => {
 *   if (error instanceof HttpError && error.status === 503) console.info('server busy, retrying');
 * });
 * ```
 */
export class HttpError extends SsekitError {
  /** The response status. */
  readonly status: number;
  /** The start of the response body (up to 256 characters), for logs. */
  readonly bodyExcerpt: string;

  constructor(
    status: number,
    bodyExcerpt: string,
    message = `HTTP ${status}`,
    code: SsekitErrorCode = 'http-status',
  ) {
    super(code, `${message}: ${bodyExcerpt}`);
    this.name = 'HttpError';
    this.status = status;
    this.bodyExcerpt = bodyExcerpt;
  }
}

/**
 * The server answered 200 with a `Content-Type` other than `text/event-stream` (code
 * `content-type`) — usually an HTML error page or a JSON API at the wrong URL. Final: retrying
 * would get the same answer. An {@link HttpError} with status 200.
 *
 * @example The URL points at an HTML page
 * ```ts
 * const stream = connect('/events', { events });
 * stream.onError((error) => {
 *   if (error instanceof ContentTypeError) console.error(`not a stream: ${error.contentType}`);
 * });
 * ```
 */
export class ContentTypeError extends HttpError {
  /** The `Content-Type` received (`null` when absent). */
  readonly contentType: string | null;

  constructor(contentType: string | null, bodyExcerpt: string) {
    super(200, bodyExcerpt, `Expected text/event-stream, got ${contentType}`, 'content-type');
    this.name = 'ContentTypeError';
    this.contentType = contentType;
  }
}

/**
 * The start of a body that is not an event stream (its first chunk, up to 256 characters), for
 * an error message. One read, so a huge or endless body is never read whole.
 * @internal
 */
export async function readExcerpt(res: Response): Promise<string> {
  try {
    const { value } = await res.body!.getReader().read();
    return new TextDecoder().decode(value).slice(0, 256);
  } catch {
    return '';
  }
}
