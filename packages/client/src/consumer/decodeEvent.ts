import {
  CLOSE_EVENT,
  type EventOf,
  type EventSchema,
  RESERVED_PREFIX,
  RESET_EVENT,
  type ResetNotice,
  type Serializer,
  ValidationError,
  validateEvent,
} from '@ssekit/core';
import { isDevelopment } from '../isDevelopment';
import type { StreamConsumer } from './streamConsumer';

/** One event as the transport parsed it: still text, its name as sent. @internal */
export interface RawEvent {
  id: string | undefined;
  /** `undefined` or `''` mean `message`. */
  event: string | undefined;
  data: string;
}

/**
 * Turns parsed events into the app's: control events (the hub's reset notice, the final close),
 * unknown names, the serializer, schema validation. Events are handed on in arrival order: behind
 * an async validator the later ones queue, and {@link EventDecoder.pending} says so.
 * @internal
 */
export interface EventDecoder {
  feed(message: RawEvent): void;
  /** A promise while an async validator holds events back; the transport waits before reading on. */
  pending(): Promise<void> | undefined;
}

/** @internal */
export function createEventDecoder<E extends EventSchema>(
  consumer: StreamConsumer<E>,
  events: E | undefined,
  serializer: Serializer,
): EventDecoder {
  const warned = new Set<string>(); // bounded: a server sending endless names costs nothing
  let chain: Promise<void> | undefined;
  const dispatch = (type: string, data: unknown, id: string | undefined) =>
    consumer.dispatch({ type, data, id } as EventOf<E>);

  // One parsed event: decode, validate, dispatch. Returns a promise only for an async
  // validator; later events then queue behind it so handlers still see arrival order.
  const handle = ({ event, data: text, id }: RawEvent) => {
    // An empty or missing `event:` is the spec's default type.
    const type = event || 'message';
    // Control events: the hub's reset notice and a final close. Apps cannot publish this prefix.
    const control = type.startsWith(RESERVED_PREFIX);
    if (type === CLOSE_EVENT) return consumer.finish(undefined, 'ended-by-server');
    if (!control && events && !events.has(type)) {
      if (warned.size < 64 && !warned.has(type) && isDevelopment()) {
        warned.add(type);
        console.warn(`[ssekit] dropped "${type}": not in the schema`);
      }
      return;
    }
    let data: unknown;
    try {
      // The hub writes its control event as JSON whatever the app's serializer is.
      data = control ? JSON.parse(text) : serializer.parse(text);
    } catch (cause) {
      // Without a schema, text that is not JSON (`[DONE]`) is the payload itself.
      if (!events && !control) return dispatch(type, text, id);
      return consumer.error(
        new ValidationError('invalid-json', type, `Bad data in "${type}"`, { id, cause }),
      );
    }
    if (control) {
      if (type === RESET_EVENT) consumer.reset(data as ResetNotice);
      return;
    }
    if (!events) return dispatch(type, data, id);
    const result = validateEvent(events, type as any, data, { id });
    const settle = (r: Awaited<typeof result>) =>
      r.ok ? dispatch(type, r.value, id) : consumer.error(r.error);
    return result instanceof Promise ? result.then(settle) : settle(result);
  };

  return {
    feed: (message) => {
      const tail = chain ? chain.then(() => handle(message)) : handle(message);
      if (tail) {
        chain = tail;
        tail.then(() => {
          if (chain === tail) chain = undefined;
        });
      }
    },
    pending: () => chain,
  };
}
