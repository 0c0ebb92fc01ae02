import { RESERVED_PREFIX } from './control';
import { InvalidFieldError } from './errors';
import { MAX_ID_LENGTH, UNWRITABLE_ID } from './limits';

/**
 * One SSE frame, before encoding.
 *
 * @example
 * ```ts
 * const frame: EventFrame = { event: 'notification', id: '7', data: '{"unread":1}' };
 * encodeEvent(frame); // 'event: notification\nid: 7\ndata: {"unread":1}\n\n'
 * ```
 */
export interface EventFrame {
  /** `event:` name. Omitted (or `undefined`) means the spec's default, `message`. */
  event?: string | undefined;
  /** `data:` payload. Any string; line breaks are split into several `data:` lines. */
  data: string;
  /** `id:`, committed by the client as its last event id when the event is dispatched. */
  id?: string | undefined;
  /** `retry:`, the client's reconnection time in milliseconds. */
  retry?: number | undefined;
}

/**
 * CR, LF or NUL. CR/LF would end the field and start a new one (field injection); the spec makes a
 * client ignore an `id` containing NUL, which would silently break resume.
 * @internal
 */
const FORBIDDEN = /[\r\n\0]/;

/** CRLF, lone CR or lone LF: the three line endings the spec's parser accepts. @internal */
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Throw unless `value` can be written as the `event` or `id` field. Both refuse CR, LF and NUL
 * (field injection). An `id` must also be able to travel back as a `Last-Event-ID` header: no
 * other control characters, no leading or trailing space (header values are trimmed), and at most
 * {@link MAX_ID_LENGTH} characters.
 *
 * @throws {@link InvalidFieldError} with code `invalid-field`.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 *
 * @example
 * ```ts
 * assertFieldValue('id', 'order-42');   // ok
 * assertFieldValue('id', 'a\u0007b');   // throws InvalidFieldError (invalid-field)
 * ```
 */
export function assertFieldValue(field: 'event' | 'id', value: string): void {
  if (typeof value !== 'string' || FORBIDDEN.test(value)) {
    throw new InvalidFieldError(field, value, 'CR, LF and NUL are refused (they inject fields)');
  }
  if (
    field === 'id' &&
    (UNWRITABLE_ID.test(value) || value.length > MAX_ID_LENGTH || value !== value.trim())
  ) {
    throw new InvalidFieldError(
      field,
      value,
      `it must come back as Last-Event-ID: no controls or outer spaces, <= ${MAX_ID_LENGTH} chars`,
    );
  }
}

/**
 * Throw unless `name` may be an app event name: a valid `event` field that does not start with
 * the reserved `ssekit.` prefix of control events (a forged `ssekit.reset` would make clients drop
 * their state). `defineEvents`, `publish` and `send` call it.
 *
 * @throws {@link InvalidFieldError} with code `invalid-field`.
 * @example
 * ```ts
 * assertEventName('sync.progress'); // ok
 * assertEventName('ssekit.reset');  // throws: reserved
 * ```
 */
export function assertEventName(name: string): void {
  assertFieldValue('event', name);
  if (name.startsWith(RESERVED_PREFIX)) {
    throw new InvalidFieldError('event', name, `"${RESERVED_PREFIX}" is reserved`);
  }
}

/**
 * Throw unless `ms` is a valid `retry:` value (a non-negative safe integer).
 *
 * @throws {@link InvalidFieldError} with code `invalid-retry`.
 *
 * @example
 * ```ts
 * assertRetry(3000); // ok
 * assertRetry(-1); // throws InvalidFieldError, code 'invalid-retry'
 * ```
 */
export function assertRetry(ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new InvalidFieldError('retry', ms, 'use a non-negative integer (ms)');
  }
}

/**
 * Encode one SSE frame as text: `event:`, `id:`, `retry:`, then one `data:` line per line of
 * `data`, then the blank line that dispatches it.
 *
 * @throws {@link InvalidFieldError} when `event` or `id` holds CR, LF or NUL (`invalid-field`), or
 * `retry` is not a non-negative integer (`invalid-retry`).
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 *
 * @example Encoding a frame
 * ```ts
 * encodeEvent({ event: 'notification', data: JSON.stringify({ unread: 3 }), id: '1' });
 * // 'event: notification\nid: 1\ndata: {"unread":3}\n\n'
 * ```
 */
export function encodeEvent(frame: EventFrame): string {
  let out = '';
  if (frame.event !== undefined) {
    assertFieldValue('event', frame.event);
    out += `event: ${frame.event}\n`;
  }
  if (frame.id !== undefined) {
    assertFieldValue('id', frame.id);
    out += `id: ${frame.id}\n`;
  }
  if (frame.retry !== undefined) {
    assertRetry(frame.retry);
    out += `retry: ${frame.retry}\n`;
  }
  if (typeof frame.data !== 'string') {
    throw new TypeError(
      'encodeEvent: `data` must be a string; serialise it first (JSON.stringify)',
    );
  }
  // One `data:` line per line of the text. Splitting on CRLF, CR and LF (the three endings the
  // parser accepts) makes every string round-trip; the space after the colon keeps a leading
  // space in the data (the parser strips exactly one).
  return `${out}data: ${frame.data.split(LINE_BREAK).join('\ndata: ')}\n\n`;
}

/**
 * Encode a comment frame (`: text`), which clients never dispatch: heartbeats, padding, debug
 * notes. Multi-line text becomes several comment lines, so it can never inject a field.
 *
 * @example A heartbeat
 * ```ts
 * res.write(encodeComment('ping')); // ': ping\n\n'
 * ```
 */
export function encodeComment(text = ''): string {
  return `: ${text.split(LINE_BREAK).join('\n: ')}\n\n`;
}

/**
 * Encode a lone `retry:` frame that sets the client's reconnection time.
 *
 * @throws {@link InvalidFieldError} with code `invalid-retry`.
 * @example
 * ```ts
 * encodeRetry(3000); // 'retry: 3000\n\n'
 * ```
 */
export function encodeRetry(ms: number): string {
  assertRetry(ms);
  return `retry: ${ms}\n\n`;
}
