import type { BrokerEvent } from './broker';
import type { StreamWriter } from './streamWriter';

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
  stream!: StreamWriter;
  /** True while in the hub's indexes. */
  registered = false;
  /**
   * Live events that arrived while the replay was being read; written after the replay, minus
   * those the replay already carried. `undefined` once live.
   */
  pending: BrokerEvent[] | undefined;
  /**
   * Live events up to this id were covered by the replay (a remote broker's fan-out can lag
   * behind its log); dropped until a newer one arrives.
   */
  after: string | undefined;

  constructor(userId: string | undefined, topics: readonly string[], lastEventId?: string) {
    this.userId = userId;
    this.topics = topics;
    this.lastEventId = lastEventId;
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

  add(conn: HubConnection): void {
    this.all.add(conn);
    if (conn.userId !== undefined) addTo(this.byUser, conn.userId, conn);
    for (const topic of conn.topics) addTo(this.byTopic, topic, conn);
    conn.registered = true;
  }

  remove(conn: HubConnection): void {
    if (!conn.registered) return;
    conn.registered = false;
    this.all.delete(conn);
    if (conn.userId !== undefined) removeFrom(this.byUser, conn.userId, conn);
    for (const topic of conn.topics) removeFrom(this.byTopic, topic, conn);
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
