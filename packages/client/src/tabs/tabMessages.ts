import type { StreamStatus } from '@ssekit/client';
import { type ResetNotice, SsekitError } from '@ssekit/core';

/** Events each tab keeps to catch a lagging tab up after a hand-over. @internal */
export const HISTORY = 512;

/** An event as it travels between tabs, with the leader's resume point after it. @internal */
export interface Entry {
  e: { type: string; data: unknown; id: string | undefined };
  last: string | undefined;
}

/** A {@link StreamStatus} without the `SsekitError` instance, which does not survive cloning. @internal */
export type WireStatus = Omit<StreamStatus, 'error' | 'lastEventId'> & {
  error?: WireError | undefined;
};
/** @internal */
export type WireError = { name: string; code: string; message: string } & Record<string, unknown>;

/**
 * What tabs say to each other on the group's BroadcastChannel. Every message from a leader
 * carries its `term` (one per lock grant), so a late message from a leader that is gone is told
 * apart from the new leader's.
 * @internal
 */
export type Message =
  | { k: 'lead'; term: string }
  | { k: 'hello'; from: string; last: string | undefined }
  | { k: 'sync'; to: string; term: string; s: WireStatus; events: Entry[] | null }
  | { k: 'ev'; term: string; m: Entry }
  | { k: 'reset'; term: string; n: ResetNotice }
  | { k: 'err'; term: string; e: WireError }
  | { k: 'status'; term: string; s: WireStatus }
  | { k: 'reconnect' };

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null;
const isText = (v: unknown): v is string => typeof v === 'string';
const isEntry = (v: any): v is Entry => isObject(v) && isObject(v.e) && isText(v.e.type);
const isError = (v: any): v is WireError => isObject(v) && isText(v.code) && isText(v.message);
const isStatus = (v: any): v is WireStatus =>
  isObject(v) &&
  ['connecting', 'open', 'reconnecting', 'closed'].includes(v.state) &&
  (v.error === undefined || isError(v.error));

/**
 * True for a message this client could have sent. Anything on the channel is taken as untrusted
 * input: another script of the origin, an older or newer ssekit in another tab, or a bug may post
 * there, and one malformed message must not throw in every tab.
 * @internal
 */
export const isMessage = (m: any): m is Message => {
  if (!isObject(m)) return false;
  const { k } = m;
  if (k === 'reconnect') return true;
  if (k === 'hello') return isText(m.from);
  if (!isText(m.term)) return false;
  return k === 'lead'
    ? true
    : k === 'sync'
      ? isText(m.to) &&
        isStatus(m.s) &&
        (m.events === null || (Array.isArray(m.events) && m.events.every(isEntry)))
      : k === 'ev'
        ? isEntry(m.m)
        : k === 'status'
          ? isStatus(m.s)
          : k === 'err'
            ? isError(m.e)
            : k === 'reset' && isObject(m.n);
};

/** @internal An error as plain data: its own fields (`status`, `type`, …) plus name, code, message. */
export const toWire = (error: SsekitError): WireError => {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) if (k !== 'cause' && isCloneable(v)) fields[k] = v;
  return { ...fields, name: error.name, code: error.code, message: error.message };
};
const isCloneable = (v: unknown) => v === null || typeof v !== 'object' || Array.isArray(v);
/** Prototypes structured clone keeps; any other object would arrive as a plain object. @internal */
const KEPT = [
  Object.prototype,
  null,
  Array.prototype,
  Date.prototype,
  Map.prototype,
  Set.prototype,
];
/**
 * True when another tab gets `v` as this tab has it: structured clone copies a class instance
 * (a schema transform's `Money`) without complaint but drops its class, so the other tab would
 * hold a plain object typed as the class. @internal
 */
export const keepsClasses = (v: unknown, seen = new Set<unknown>()): boolean => {
  if (v === null || typeof v !== 'object' || seen.has(v)) return true;
  seen.add(v);
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v) || v instanceof RegExp) return true;
  if (!KEPT.includes(Object.getPrototypeOf(v))) return false;
  const values = v instanceof Map ? [...v.keys(), ...v.values()] : Object.values(v as object);
  return (v instanceof Set ? [...v] : values).every((x) => keepsClasses(x, seen));
};
/** @internal The same error in another tab: an `SsekitError` with the same name, code and fields. */
export const fromWire = ({ name, code, message, ...fields }: WireError): SsekitError =>
  Object.assign(new SsekitError(code as SsekitError['code'], message), fields, { name });
/** @internal A status as plain data: its error by {@link toWire}, without the resume point. */
export const statusToWire = ({ lastEventId: _, error, ...rest }: StreamStatus): WireStatus => ({
  ...rest,
  error: error && toWire(error),
});
