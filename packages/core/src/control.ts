/**
 * Control events the hub sends on its own, with names no schema may use: they live outside the
 * app's event namespace and clients surface them through dedicated callbacks.
 */

/**
 * The prefix of control-event names. App events may not use it: `defineEvents`, `publish` and
 * `send` refuse such names, so a client can trust that an `ssekit.*` event came from ssekit.
 *
 * @example Refused names
 * ```ts
 * defineEvents({ 'ssekit.mine': type<{ n: number }>() }); // throws: the prefix is ssekit's
 * RESERVED_PREFIX; // 'ssekit.'
 * ```
 */
export const RESERVED_PREFIX = 'ssekit.';

/**
 * The `event:` name of the hub's reset notice: the client's `Last-Event-ID` was older than the
 * replay log or from another epoch (a server restart), so events were lost and the app should
 * refetch its state. Sent with a `data:` line because the spec never dispatches an event without
 * data.
 *
 * @example What a raw SSE reader sees
 * ```ts
 * const source = new EventSource('/api/events');
 * source.addEventListener(RESET_EVENT, () => refetchEverything()); // 'ssekit.reset'
 * ```
 */
export const RESET_EVENT = 'ssekit.reset';

/**
 * The `event:` name of a stream's final close: the server finished (a job's stream) and the
 * client must not reconnect. Sent by `stream.close({ reconnect: false })`; a client made by
 * `connect` closes with status reason `ended-by-server`. Native `EventSource` ignores it, so a
 * job endpoint should also answer 204 to a reconnect once its job is done.
 *
 * @example What a raw SSE reader sees
 * ```ts
 * const source = new EventSource('/api/jobs/42/progress');
 * source.addEventListener(CLOSE_EVENT, () => source.close()); // the job is done: do not reconnect
 * ```
 */
export const CLOSE_EVENT = 'ssekit.close';

/**
 * Why a reset was sent: `evicted` (the id is older than the log), `epoch` (the id is from an
 * earlier run of the server), `unknown` (the server never issued the id), or `unsendable-id` (set by
 * the client: the server sent an id that cannot travel back as a `Last-Event-ID` header, so the
 * client reconnected without one).
 *
 * @example
 * ```ts
 * const explain = (reason: ResetReason) =>
 *   reason === 'epoch' ? 'the server restarted' : 'too much was missed';
 * ```
 */
export type ResetReason = 'evicted' | 'epoch' | 'unknown' | 'unsendable-id';

/**
 * Payload of the {@link RESET_EVENT} control event.
 *
 * @example In a client
 * ```ts
 * import { connect } from '@ssekit/client';
 *
 * connect('/api/events', { events }).onReset((notice: ResetNotice) => {
 *   console.info(`refetching: ${notice.reason} after ${notice.lastEventId}`);
 *   refetchEverything();
 * });
 * ```
 */
export interface ResetNotice {
  /** Why the missed events cannot be replayed. */
  reason: ResetReason;
  /** The `Last-Event-ID` the client asked to resume from. */
  lastEventId: string;
}
