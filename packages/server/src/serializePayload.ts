import { type EventSchema, type Serializer, SsekitError, validateEvent } from '@ssekit/core';

/** How payloads are checked and turned into `data:` text, shared by streams and hubs. @internal */
export interface PayloadOptions {
  events: EventSchema | undefined;
  serializer: Serializer;
  validate: boolean;
}

/**
 * Check `type` against the schema, validate `data` when asked, and serialise it — once per send or
 * publish, never per recipient.
 *
 * @throws `ValidationError` (`unknown-event`, `schema-mismatch`), the serializer's error, or
 * an `invalid-option` {@link SsekitError} for an async validator.
 * @internal
 */
export function serializePayload(options: PayloadOptions, type: string, data: unknown): string {
  const { events } = options;
  // Without `validate`, only the name is checked; validateEvent reports an unknown name
  // synchronously either way, so both cases share core's `unknown-event` error.
  if (events !== undefined && (options.validate || !events.has(type))) {
    const result = validateEvent(events, type, data);
    if (result instanceof Promise) {
      // Publishing is synchronous so a frame is never reordered behind a slow validator.
      result.catch(() => {});
      throw new SsekitError(
        'invalid-option',
        `The validator of event "${type}" is asynchronous; validation on send/publish needs a synchronous validator. Use a sync schema or set validate: false.`,
      );
    }
    // The original value is serialised: the schema describes the wire form, and a transforming
    // validator's output is what the client's validator produces on receipt.
    if (!result.ok) throw result.error;
  }
  return options.serializer.stringify(data);
}
