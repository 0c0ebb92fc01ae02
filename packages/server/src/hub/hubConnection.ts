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

/**
 * The hub's indexes: every connection, by user and by topic, so a targeted publish costs its
 * recipients, not every connection.
 * @internal
 */
export class ConnectionIndex {
  readonly all = new Set<HubConnection>();
  readonly byUser = new Map<string, Set<HubConnection>>();
  readonly byTopic = new Map<string, Set<HubConnection>>();
  /** Anonymous connections per address: counts only, as nothing is ever sent by address. */
  private readonly byAddress = new Map<string, number>();

  add(conn: HubConnection): void {
    this.all.add(conn);
    if (conn.userId !== undefined) addTo(this.byUser, conn.userId, conn);
    else if (conn.address !== undefined)
      this.byAddress.set(conn.address, this.countAddress(conn.address) + 1);
    for (const topic of conn.topics) addTo(this.byTopic, topic, conn);
    conn.registered = true;
  }

  remove(conn: HubConnection): void {
    if (!conn.registered) return;
    conn.registered = false;
    this.all.delete(conn);
    if (conn.userId !== undefined) removeFrom(this.byUser, conn.userId, conn);
    else if (conn.address !== undefined) {
      const left = this.countAddress(conn.address) - 1;
      if (left > 0) this.byAddress.set(conn.address, left);
      else this.byAddress.delete(conn.address);
    }
    for (const topic of conn.topics) removeFrom(this.byTopic, topic, conn);
  }

  /** Open anonymous connections from `address`. */
  countAddress(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }

  /** Open connections of `userId`. */
  countUser(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }
}

/** @internal */
function addTo(map: Map<string, Set<HubConnection>>, key: string, conn: HubConnection): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([conn]));
  else set.add(conn);
}

/** @internal Delete empty sets, so a departed user or topic costs no memory. */
function removeFrom(map: Map<string, Set<HubConnection>>, key: string, conn: HubConnection): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(conn);
  if (set.size === 0) map.delete(key);
}
