/**
 * Control events the hub sends on its own, with names no schema may use: they live outside the
 * app's event namespace and clients surface them through dedicated callbacks.
 */

/**
 * The `event:` name of the hub's reset notice: the client's `Last-Event-ID` was older than the
 * replay log or from another epoch (a server restart), so events were lost and the app should
 * refetch its state. Sent with a `data:` line because the spec never dispatches an event without
 * data.
 */
export const RESET_EVENT = 'ssekit.reset';

/** Why a reset was sent. */
export type ResetReason = 'evicted' | 'epoch' | 'unknown';

/** Payload of the {@link RESET_EVENT} control event. */
export interface ResetNotice {
  /** Why the missed events cannot be replayed. */
  reason: ResetReason;
  /** The `Last-Event-ID` the client asked to resume from. */
  lastEventId: string;
}
