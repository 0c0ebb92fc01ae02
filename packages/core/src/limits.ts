/**
 * The numbers server and client must agree on, each with the hazard it bounds. One place, so a
 * change on one side cannot leave the other refusing what the first one sends.
 */

/**
 * Default largest event on both sides, 1 MiB. The server's `maxEventSize` counts the UTF-8 bytes
 * of an event's `data` text (no field names, no line ends) and refuses a bigger publish; the
 * client's `maxEventSize` counts the characters (UTF-16 code units) of the same text and drops a
 * bigger event with `buffer-overflow`. A character is never more than its UTF-8 bytes, so with
 * equal limits what a hub accepts a client always reads; raise both together.
 *
 * @example Big log lines on both sides
 * ```ts
 * const maxEventSize = 4 * DEFAULT_MAX_EVENT_SIZE;
 * // server: createHub({ events, maxEventSize })   client: connect(url, { events, maxEventSize })
 * ```
 */
export const DEFAULT_MAX_EVENT_SIZE = 1 << 20;

/**
 * Longest `id` the server writes, in characters. An id comes back as the `Last-Event-ID` request
 * header on every reconnect; servers refuse header sections past 8–16 KB (Node answers 431), so a
 * long id would strand its client. The server's rule is the strict one ({@link assertFieldValue});
 * the client accepts up to {@link MAX_RESUME_ID_LENGTH} from servers that are not ssekit.
 *
 * @example
 * ```ts
 * const id = `order-${crypto.randomUUID()}`;
 * if (id.length > MAX_ID_LENGTH) throw new Error('id too long to come back as Last-Event-ID');
 * ```
 */
export const MAX_ID_LENGTH = 1024;

/**
 * Longest `id` the client keeps as its resume point, in characters. Looser than
 * {@link MAX_ID_LENGTH} because the client also reads servers that are not ssekit; tighter than
 * a header section's limit, so the `Last-Event-ID` header never makes a reconnect fail with 431.
 *
 * @example
 * ```ts
 * const keep = (id: string) => id.length <= MAX_RESUME_ID_LENGTH;
 * ```
 */
export const MAX_RESUME_ID_LENGTH = 4096;

/**
 * Characters a written `id` may not hold beyond CR/LF/NUL: every C0 control and DEL. Stricter than
 * what `fetch` refuses in a header value, so an id the server writes always travels back.
 * @internal
 */
export const UNWRITABLE_ID = /[\0-\x1f\x7f]/;

/**
 * Characters that make an id unable to travel back in a `Last-Event-ID` header: the C0 controls
 * other than tab, and DEL (`fetch` throws on them in a header value). @internal
 */
const UNSENDABLE_ID = /[\0-\x08\n-\x1f\x7f]/;

/**
 * True when a received `id` can be sent back as the `Last-Event-ID` header of a reconnect: no
 * control character `fetch` refuses in a header value, at most {@link MAX_RESUME_ID_LENGTH}
 * characters. The client drops any other id as its resume point (and reports it), since keeping
 * it would fail every reconnect inside `fetch`.
 *
 * @example
 * ```ts
 * isResumableId('42');        // true
 * isResumableId('a\u0007b');  // false: fetch refuses BEL in a header value
 * ```
 */
export function isResumableId(id: string): boolean {
  return id.length <= MAX_RESUME_ID_LENGTH && !UNSENDABLE_ID.test(id);
}
