import type { BrokerEvent } from '../broker/broker';
import type { StreamWriter } from '../stream/streamWriter';

/**
 * What the hub knows about one connection. Kept apart from the writer so a stand-alone stream
 * pays nothing for targeting or replay.
 * @internal
 */
export class HubConnection {
  readonly userId: string | undefined;
  /** Granted topics, deduplicated; usually a handful, so an array beats a Set. */
  readonly topics: readonly string[];
  readonly lastEventId: string | undefined;
  /** The peer address of an anonymous connection (its cap's key); unset for users. */
  readonly address: string | undefined;
  stream!: StreamWriter;
  /** True while in the hub's indexes. */
  registered = false;
  /**
   * Live events that arrived while the replay was being read, and their characters (bounded by
   * `maxBufferedBytes`); written after the replay, minus those the replay already carried.
   * `undefined` once live, so a live connection holds one empty field.
   */
  pending: { events: BrokerEvent[]; size: number } | undefined;
  /**
   * Live events up to this id were covered by the replay (a remote broker's fan-out can lag
   * behind its log); dropped until a newer one arrives.
   */
  after: string | undefined;

  constructor(
    userId: string | undefined,
    topics: readonly string[],
    lastEventId: string | undefined,
    address: string | undefined,
  ) {
    this.userId = userId;
    this.topics = topics;
    this.lastEventId = lastEventId;
    this.address = address;
  }

  /** True when `event` may reach this connection: the replay's filter (live uses indexes). */
  entitled(event: BrokerEvent): boolean {
    if (event.to !== undefined && (this.userId === undefined || !event.to.includes(this.userId)))
      return false;
    return event.topic === undefined || this.topics.includes(event.topic);
  }
}
