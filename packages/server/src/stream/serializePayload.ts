import {
  assertEventName,
  type EventSchema,
  type Serializer,
  SsekitError,
  ValidationError,
  validateEvent,
} from '@ssekit/core';

/** How payloads are checked and turned into `data:` text, shared by streams and hubs. @internal */
export interface PayloadOptions {
  events: EventSchema | undefined;
  serializer: Serializer;
  validate: boolean;
  /** `validate` was asked for (not the default): an async validator is then an error. */
  strictValidate?: boolean;
  /** Longest `data:` text accepted, in UTF-8 bytes. */
  maxEventSize: number;
}

/**
 * Check `type` against the schema, validate `data` when asked, and serialise it — once per send or
 * publish, never per recipient.
 *
 * @throws `ValidationError` (`unknown-event`, `schema-mismatch`, `invalid-json` when the
 * serializer throws or returns no string), `invalid-field` for a bad or reserved name,
 * `event-too-large`, or an `invalid-option` {@link @ssekit/core!SsekitError | SsekitError} for an async validator.
 * @internal
 */
export function serializePayload(options: PayloadOptions, type: string, data: unknown): string {
  const { events } = options;
  if (events === undefined || !events.has(type)) assertEventName(type);
  // Without `validate`, only the name is checked; validateEvent reports an unknown name
  // synchronously either way, so both cases share core's `unknown-event` error.
  if (events !== undefined && (options.validate || !events.has(type))) {
    const result = validateEvent(events, type, data);
    if (result instanceof Promise) {
      // Publishing is synchronous so a frame is never reordered behind a slow validator.
      result.catch(() => {});
      if (!options.strictValidate && events.has(type)) return stringify(options, type, data);
      throw new SsekitError(
        'invalid-option',
        `The validator of event "${type}" is asynchronous; validation on send/publish needs a synchronous validator. Use a sync schema or set validate: false.`,
      );
    }
    // The original value is serialised: the schema describes the wire form, and a transforming
    // validator's output is what the client's validator produces on receipt.
    if (!result.ok) throw result.error;
  }
  return stringify(options, type, data);
}

/** Serialise `data` to its `data:` text, or throw a typed error. @internal */
function stringify(options: PayloadOptions, type: string, data: unknown): string {
  let text: unknown;
  try {
    text = options.serializer.stringify(data);
  } catch (cause) {
    throw new ValidationError(
      'invalid-json',
      type,
      `The payload of "${type}" cannot be serialised: ${String(cause)}`,
      { cause },
    );
  }
  // JSON.stringify(undefined), of a function or a symbol returns undefined: nothing to send.
  if (typeof text !== 'string') {
    throw new ValidationError(
      'invalid-json',
      type,
      `The payload of "${type}" serialised to ${String(text)}, not text; send null or an object instead.`,
    );
  }
  const { maxEventSize } = options;
  // UTF-8 takes 1 to 3 bytes per UTF-16 unit (a surrogate pair, 2 units, takes 4): only text
  // between maxEventSize / 3 and maxEventSize units needs counting, never the everyday event.
  if (text.length * 3 > maxEventSize) {
    const bytes = text.length > maxEventSize ? text.length : utf8Length(text);
    if (bytes > maxEventSize) {
      throw new SsekitError(
        'event-too-large',
        `The payload of "${type}" is ${text.length > maxEventSize ? 'at least ' : ''}${bytes} bytes of UTF-8, over maxEventSize (${maxEventSize} bytes). Send a reference (an id or URL) and let the client fetch the body.`,
      );
    }
  }
  return text;
}

/**
 * The UTF-8 length of `text` as `TextEncoder` writes it (a lone surrogate becomes U+FFFD, 3
 * bytes), without encoding it.
 * @internal
 */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // 4 bytes for the 2 units of a pair
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}
