import { isDevelopment } from '../isDevelopment';
import type { Hub, HubOptions } from './hub';
import { eventNames, registry } from './namedHub';

/**
 * The development check behind "a publish reached nobody because there are two hubs": a hub
 * registers under its identity (its name, or for an unnamed hub the names of its events), and
 * a publish that reaches no connection while another open hub of the same identity has some
 * warns once. Only hubs on the default in-memory broker take part: hubs on a shared broker
 * reach each other's connections through it.
 * @internal
 */
export class TwinWatch {
  private readonly hub: Hub<any>;
  private readonly name: string | undefined;
  private readonly key: string;
  private readonly ref: WeakRef<Hub<any>>;
  private warned = false;

  constructor(hub: Hub<any>, options: HubOptions<any>) {
    this.hub = hub;
    this.name = options.name;
    this.key =
      options.name !== undefined ? `name:${options.name}` : `events:${eventNames(options.events)}`;
    this.ref = new WeakRef(hub);
    const { open } = registry();
    const set = open.get(this.key) ?? new Set();
    open.set(this.key, set);
    for (const other of set) if (other.deref() === undefined) set.delete(other); // collected
    set.add(this.ref);
  }

  /** A publish of `type` reached no connection of this hub. */
  missed(type: string): void {
    if (this.warned || !isDevelopment()) return;
    const set = registry().open.get(this.key);
    if (set === undefined) return;
    for (const ref of set) {
      const other = ref.deref();
      if (other === undefined || other === this.hub || other.closed) continue;
      const connections = other.stats().connections;
      if (connections === 0) continue;
      this.warned = true;
      console.warn(this.message(type, connections));
      return;
    }
  }

  /** The hub closed: it is nobody's twin any more. */
  dispose(): void {
    const { open } = registry();
    const set = open.get(this.key);
    set?.delete(this.ref);
    if (set?.size === 0) open.delete(this.key);
  }

  private message(type: string, connections: number): string {
    const found = `publish('${type}') reached no connection, but another hub`;
    if (this.name !== undefined) {
      return `[ssekit] ${found} named '${this.name}' in this process has ${connections}. Two hubs share a name only when copies of @ssekit/server do not share their registry (very different versions?): import the hub from one module, and keep one version of @ssekit/server installed.`;
    }
    return `[ssekit] ${found} with the same events in this process has ${connections}: the module that creates the hub was probably loaded twice (Next.js loads route handlers and server actions in separate module graphs, and dev reloads modules), making two hubs. Give it a name so every copy shares one: createHub({ name: 'app', ... }). If the hubs are separate on purpose, give each its own name.`;
  }
}
