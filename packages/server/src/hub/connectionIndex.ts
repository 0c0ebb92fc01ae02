import type { HubConnection } from './hubConnection';

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
