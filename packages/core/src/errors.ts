import type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * Every `code` an {@link SsekitError} can carry. Stable across releases: match on it, not on the
 * message.
 *
 * - `invalid-field` — an `event` or `id` value holds CR, LF or NUL (it would inject SSE fields).
 * - `invalid-retry` — a `retry` value that is not a non-negative safe integer.
 * - `unknown-event` — an event name the schema does not define.
 * - `schema-mismatch` — a payload failed its event's validator.
 * - `invalid-json` — a `data:` payload that is not valid JSON (or could not be serialised).
 * - `buffer-overflow` — a line, event or connection buffer passed its configured limit.
 * - `http-status` — the server answered with a status that ends or delays the stream.
 * - `content-type` — the server answered with something other than `text/event-stream`.
 * - `timeout` — no byte arrived within the inactivity timeout.
 * - `network` — the request failed before a response (DNS, refused, reset, CORS, offline).
 * - `retries-exhausted` — reconnection gave up (`maxAttempts` / `maxElapsed`).
 * - `closed` — the stream or hub was closed.
 * - `limit-exceeded` — a connection limit refused a new stream.
 * - `invalid-option` — an option or option combination that cannot work.
 * - `invalid-target` — a publish whose `to` or `topic` is present but names nobody (refused,
 *   never read as "everyone").
 * - `event-too-large` — an event's payload is larger than `maxEventSize`.
 * - `broker-unavailable` — the hub's broker (e.g. Redis) could not be reached or did not answer
 *   in time.
 *
 * @example Switching on the code
 * ```ts
 * function advice(code: SsekitErrorCode): string {
 *   switch (code) {
 *     case 'http-status':
 *       return 'the server refused the stream';
 *     case 'schema-mismatch':
 *       return 'a payload did not match the schema';
 *     default:
 *       return 'see the troubleshooting guide';
 *   }
 * }
 * ```
 */
export type SsekitErrorCode =
  | 'invalid-field'
  | 'invalid-retry'
  | 'unknown-event'
  | 'schema-mismatch'
  | 'invalid-json'
  | 'buffer-overflow'
  | 'http-status'
  | 'content-type'
  | 'timeout'
  | 'network'
  | 'retries-exhausted'
  | 'closed'
  | 'limit-exceeded'
  | 'invalid-option'
  | 'invalid-target'
  | 'event-too-large'
  | 'broker-unavailable';

/**
 * Global brand, so errors thrown by a second copy of `@ssekit/core` (two versions in one bundle)
 * are still recognised by {@link isSsekitError}. `Symbol.for` is shared across realms' copies.
 * @internal
 */
const BRAND = Symbol.for('@ssekit/error');

/** @internal Longest excerpt of a user value shown in an error message. */
export const EXCERPT = 60;

/**
 * A value as JSON for an error message (`1`, `"one"`, `{"a":1}`; `undefined` for a missing
 * field), truncated so a 1 MiB payload does not become a 1 MiB message, with control characters
 * escaped. Cycles and bigints fall back to `String`.
 * @internal
 */
export function preview(value: unknown): string {
  let text = String(value);
  try {
    text = JSON.stringify(value) ?? text;
  } catch {}
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
}

/**
 * Options accepted by every {@link SsekitError} constructor.
 *
 * @example Keeping the cause
 * ```ts
 * try {
 *   JSON.parse('{');
 * } catch (cause) {
 *   throw new SsekitError('invalid-json', 'The payload is not JSON', { cause } satisfies SsekitErrorOptions);
 * }
 * ```
 */
export interface SsekitErrorOptions {
  /** The underlying error (a `TypeError` from `fetch`, a validator's exception, …). */
  cause?: unknown;
}

/**
 * Base class of every error ssekit throws or reports. Use {@link isSsekitError} to check for it
 * (it also matches errors from another copy of the package) and switch on `code`.
 *
 * @example Handling errors
 * ```ts
 * import { connect } from '@ssekit/client';
 *
 * const stream = connect('/api/events', { events });
 * stream.onError((err) => {
 *   if (err instanceof ValidationError) console.warn(err.event, err.issues); // a skipped payload
 *   else if (isSsekitError(err, 'http-status')) console.warn(err.message); // a refused request
 * });
 * ```
 */
export class SsekitError extends Error {
  /** Stable machine-readable reason. */
  readonly code: SsekitErrorCode;

  constructor(code: SsekitErrorCode, message: string, options: SsekitErrorOptions = {}) {
    super(message, options);
    this.name = 'SsekitError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * A field value that would corrupt the wire format: CR, LF or NUL in `event` or `id`, or a
 * `retry` that is not a non-negative integer.
 *
 * @example
 * ```ts
 * try {
 *   encodeEvent({ event: 'a\nretry: 1', data: '' }); // would inject a field
 * } catch (error) {
 *   if (error instanceof InvalidFieldError) console.error(error.field, error.value); // 'event', …
 * }
 * ```
 */
export class InvalidFieldError extends SsekitError {
  /** Which field was refused. */
  readonly field: 'event' | 'id' | 'retry';
  /** The refused value. */
  readonly value: unknown;

  constructor(field: 'event' | 'id' | 'retry', value: unknown, reason: string) {
    super(
      field === 'retry' ? 'invalid-retry' : 'invalid-field',
      `Invalid SSE \`${field}\` ${preview(value)}: ${reason}`,
    );
    this.name = 'InvalidFieldError';
    this.field = field;
    this.value = value;
  }
}

/**
 * An event's payload failed validation, was not valid JSON, or its name is not in the schema.
 *
 * @example On the client
 * ```ts
 * import { connect } from '@ssekit/client';
 *
 * connect('/api/events', { events }).onError((error) => {
 *   if (error instanceof ValidationError) console.warn(error.code, error.event, error.id, error.issues);
 * });
 * ```
 */
export class ValidationError extends SsekitError {
  /** The event name (SSE `event:` field) the payload arrived or was published under. */
  readonly event: string;
  /** The event id, when known (client side). */
  readonly id: string | undefined;
  /** The validator's issues (empty for `invalid-json` and `unknown-event`). */
  readonly issues: readonly StandardSchemaV1.Issue[];

  constructor(
    code: 'schema-mismatch' | 'invalid-json' | 'unknown-event',
    event: string,
    message: string,
    details: { id?: string; issues?: readonly StandardSchemaV1.Issue[]; cause?: unknown } = {},
  ) {
    super(code, message, { cause: details.cause });
    this.name = 'ValidationError';
    this.event = event;
    this.id = details.id;
    this.issues = details.issues ?? [];
  }
}

/**
 * True when `error` is an {@link SsekitError} — from this copy of the package, another copy, or
 * one that crossed a `postMessage` — optionally with the given `code`.
 *
 * @example
 * ```ts
 * try { encodeEvent({ event: 'a\nb', data: '' }); }
 * catch (err) { if (isSsekitError(err, 'invalid-field')) console.error(err.message); }
 * ```
 */
export function isSsekitError<C extends SsekitErrorCode = SsekitErrorCode>(
  error: unknown,
  code?: C,
): error is SsekitError & { code: C } {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  // Every SsekitError carries the brand (set in its constructor, from any copy of the package).
  // Without it (a structured clone drops symbols), only this library's own class names with a
  // kebab-case code match: a foreign `FetchError` with `code: 'network'` is not ours.
  const ours =
    (error as Record<symbol, unknown>)[BRAND] === true ||
    (typeof candidate.name === 'string' &&
      ERROR_NAMES.has(candidate.name) &&
      typeof candidate.code === 'string' &&
      /^[a-z]+(-[a-z]+)*$/.test(candidate.code));
  return ours && (code === undefined || candidate.code === code);
}

/**
 * The `name` of every error class in the ssekit packages, for {@link isSsekitError}'s check of an
 * error that lost its brand. A new subclass adds its name here.
 * @internal
 */
const ERROR_NAMES: ReadonlySet<string> = new Set([
  'SsekitError',
  'InvalidFieldError',
  'ValidationError',
  'HttpError',
  'ContentTypeError',
  'RedisBrokerError',
]);
