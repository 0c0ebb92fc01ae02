import type { EventOf, EventSchema } from '@ssekit/core';
import { type ConnectionStatus, IDLE_STATUS } from './connectionStatus';
import { notifyLater } from './notifyLater';
import { type ConnectionTarget, listen } from './sharedConnection';

/**
 * What `useServerEvents` returns: an immutable snapshot, a new object on every change.
 *
 * @example
 * ```tsx
 * function Unread() {
 *   const snapshot: ServerEventsSnapshot<unknown, number> = useServerEvents({
 *     types: ['notification'],
 *     reduce: (unread, event) => event.data.unread,
 *     initial: 0,
 *   });
 *   return <span data-state={snapshot.status.state}>{snapshot.state}</span>;
 * }
 * ```
 */
export interface ServerEventsSnapshot<Ev, S = undefined> {
  /** The shared connection's status. */
  readonly status: ConnectionStatus;
  /** The last `keep` events received since this component mounted, oldest first. */
  readonly events: readonly Ev[];
  /** The reducer's state (`initial` until the first event; `undefined` without a reducer). */
  readonly state: S;
  /** How many events this component has received; grows by one per event. */
  readonly version: number;
}

/** @internal The options an {@link EventLog} reads on every event (the latest render's). */
export interface EventLogOptions {
  keep?: number | undefined;
  types?: readonly string[] | undefined;
  reduce?: ((state: any, event: any) => any) | undefined;
  initial?: unknown;
}

/** @internal Events kept by default without a reducer. */
const DEFAULT_KEEP = 50;

/**
 * The store behind `useServerEvents`. It takes every event as it is parsed, outside React: the
 * reducer runs and the event is buffered right away, and components are notified once per task.
 * So a burst loses nothing, costs one render per component, and the kept list is copied once per
 * render rather than once per event. One per component and connection key: the events it kept
 * outlive pausing (`enabled: false`) and resuming.
 * @internal
 */
export class EventLog {
  /** Latest options; the hook refreshes them after every render, so an inline reducer is fine. */
  options: EventLogOptions;
  private pending: EventOf<EventSchema>[] = [];
  private state: unknown;
  private version = 0;
  private snapshot: ServerEventsSnapshot<EventOf<EventSchema>, unknown>;
  readonly initial: ServerEventsSnapshot<EventOf<EventSchema>, unknown>;

  constructor(options: EventLogOptions) {
    this.options = options;
    this.state = options.initial;
    this.initial = this.snapshot = {
      status: IDLE_STATUS,
      events: [],
      state: this.state,
      version: 0,
    };
  }

  /** How many events to keep: `keep`, else none with a reducer and {@link DEFAULT_KEEP} without. */
  private keep(): number {
    const { keep, reduce } = this.options;
    return Math.max(0, keep ?? (reduce ? 0 : DEFAULT_KEEP));
  }

  subscribe(target: ConnectionTarget<any>, notify: () => void): () => void {
    const ping = () => notifyLater(notify);
    const stopEvents = listen(target, 'event', (event) => {
      const { types, reduce } = this.options;
      if (types && !types.includes(event.type)) return;
      if (reduce) this.state = reduce(this.state, event);
      const keep = this.keep();
      if (keep > 0) {
        this.pending.push(event);
        // Bound the buffer between renders too (a tab in the background renders nothing).
        if (this.pending.length >= 2 * keep) this.pending = this.pending.slice(-keep);
      }
      this.version++;
      ping();
    });
    const stopStatus = listen(target, 'status', ping);
    return () => {
      stopEvents();
      stopStatus();
    };
  }

  /** The snapshot with `status`: the same object until the status or an event changes it. */
  getSnapshot(status: ConnectionStatus): ServerEventsSnapshot<EventOf<EventSchema>, unknown> {
    const last = this.snapshot;
    if (status === last.status && this.version === last.version) return last;
    const keep = this.keep();
    const events =
      this.pending.length === 0 && last.events.length <= keep
        ? last.events
        : keep === 0
          ? []
          : last.events.concat(this.pending).slice(-keep);
    this.pending = [];
    this.snapshot = { status, events, state: this.state, version: this.version };
    return this.snapshot;
  }

  getServerSnapshot = (): ServerEventsSnapshot<EventOf<EventSchema>, unknown> => this.initial;
}
