import type { AttemptContext, ConnectOptions } from '../types';

/** `Last-Event-ID` as UTF-8: header values are byte strings, so each UTF-8 byte becomes one char. @internal */
function utf8Header(value: string): string {
  let header = '';
  for (const byte of new TextEncoder().encode(value)) header += String.fromCharCode(byte);
  return header;
}

/**
 * Make the function that sends one attempt's request: headers (a function of the attempt),
 * `Accept`, `Last-Event-ID`, method, credentials, and a body read once so every reconnect
 * re-sends the same bytes (a FormData boundary included).
 * @internal
 */
export function createRequest(url: string | URL, options: ConnectOptions<any>) {
  let body: BodyInit | undefined;
  let bodyType: string | null = null;
  return async (ctx: AttemptContext): Promise<Response> => {
    const h = options.headers;
    const b = options.body;
    const headers = new Headers(typeof h === 'function' ? await h(ctx) : h);
    if (!headers.has('accept')) headers.set('accept', 'text/event-stream');
    if (ctx.lastEventId) headers.set('last-event-id', utf8Header(ctx.lastEventId));
    if (typeof b === 'function') body = await b();
    else if (b != null && body === undefined) {
      const r = new Response(b);
      bodyType = r.headers.get('content-type');
      body = await r.arrayBuffer();
    }
    if (bodyType && !headers.has('content-type')) headers.set('content-type', bodyType);
    return (options.fetch ?? fetch)(url, {
      method: options.method,
      headers,
      body,
      credentials: options.credentials,
      // What EventSource does: no cache in between may answer with a stale stream.
      cache: 'no-store',
      signal: ctx.signal,
    });
  };
}
