import { SsekitError } from '@ssekit/core';
import type { Hub, HubOptions } from './hub';

/**
 * Where every copy of `@ssekit/server` in the process keeps its hubs. Next.js loads route
 * handlers and server actions in separate module graphs (and dev reloads modules), so a module-
 * level `createHub()` runs more than once; `Symbol.for` is the one key all those graphs — even
 * two bundled copies of the package — share. Its shape is a contract between versions: add
 * fields, never change the ones here.
 * @internal
 */
const REGISTRY = Symbol.for('@ssekit/hubs');

/** @internal One named hub and the options it was made with, described for comparison. */
interface NamedEntry {
  readonly hub: Hub<any>;
  readonly options: Readonly<Record<string, string>>;
  /** Option mismatches already warned about, so a reload loop warns once per change. */
  readonly warned: Set<string>;
}

/** @internal What {@link REGISTRY} holds on `globalThis`. */
export interface HubRegistry {
  /** The process-wide hub of each name. */
  readonly named: Map<string, NamedEntry>;
  /**
   * Open hubs by identity (their name; for unnamed hubs their event names), held weakly and only
   * in development: what {@link TwinWatch} looks through.
   */
  readonly open: Map<string, Set<WeakRef<Hub<any>>>>;
}

/** @internal */
export function registry(): HubRegistry {
  const global = globalThis as { [REGISTRY]?: HubRegistry };
  global[REGISTRY] ??= { named: new Map(), open: new Map() };
  return global[REGISTRY];
}

/**
 * The process-wide hub named `name`: the open one if there is one, else a new one from `create`
 * (a closed one is replaced, as after a dev reload that closed it). Options that differ from the
 * running hub's are reported once with `console.warn` — a dev reload legitimately changes them,
 * so this never throws — and the running hub keeps its own.
 * @internal
 */
export function namedHub<H extends Hub<any>>(
  name: unknown,
  options: HubOptions<any>,
  create: () => H,
): H {
  if (typeof name !== 'string' || name === '') {
    throw new SsekitError(
      'invalid-option',
      `createHub: name must be a non-empty string like 'app', got ${JSON.stringify(name) ?? String(name)}. Leave it out for a hub of this module only.`,
    );
  }
  const { named } = registry();
  const described = describeOptions(options);
  const entry = named.get(name);
  if (entry !== undefined && !entry.hub.closed) {
    const changed = differingKeys(entry.options, described);
    const signature = changed.map((key) => `${key}=${described[key]}`).join('\n');
    if (changed.length > 0 && !entry.warned.has(signature)) {
      entry.warned.add(signature);
      console.warn(
        `[ssekit] createHub({ name: '${name}' }) was called again with different options (${changed.join(', ')}). Every call with this name returns the hub made first, which keeps its options. After a dev reload that changed them, restart the server to apply them; otherwise pass the same options everywhere — create the hub in one module (lib/hub.ts) and import it.`,
      );
    }
    return entry.hub as H;
  }
  const hub = create();
  named.set(name, { hub, options: described, warned: new Set() });
  return hub;
}

/** @internal Drop `hub` from the registry when it closes, so the next call makes a new one. */
export function forgetNamedHub(name: string, hub: Hub<any>): void {
  const { named } = registry();
  if (named.get(name)?.hub === hub) named.delete(name);
}

/**
 * Options as comparable text: plain values as JSON, the schema as its event names, functions
 * and objects such as a broker only by presence (each module graph has its own instances, so
 * identity says nothing).
 * @internal
 */
function describeOptions(options: HubOptions<any>): Record<string, string> {
  const described: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'name' || value === undefined) continue;
    if (key === 'events') described[key] = eventNames(value);
    else if (typeof value === 'function') described[key] = 'a function';
    else if (typeof value === 'object' && value !== null && !isPlain(value))
      described[key] = 'an object';
    else described[key] = json(value);
  }
  return described;
}

/** @internal A schema's event names, sorted: what identifies it across module graphs. */
export function eventNames(events: HubOptions<any>['events']): string {
  return [...(events?.names ?? [])].sort().join(',');
}

/** @internal */
function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return 'a value'; // a cycle or a BigInt: compared by presence only
  }
}

/** @internal */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/** @internal Keys whose descriptions differ, sorted. */
function differingKeys(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => a[key] !== b[key]).sort();
}
