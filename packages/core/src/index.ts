/**
 * The ground under every ssekit package, with no runtime dependencies: the SSE wire format
 * ({@link encodeEvent}, {@link encodeComment}, {@link encodeRetry}), the typed event schema shared
 * by server and client ({@link defineEvents}, {@link type}, {@link validateEvent}), the payload
 * {@link Serializer}, control-event names, and the {@link SsekitError} family.
 *
 * @module \@ssekit/core
 */
export {
  CLOSE_EVENT,
  RESERVED_PREFIX,
  RESET_EVENT,
  type ResetNotice,
  type ResetReason,
} from './control';
export {
  defineEvents,
  type EventData,
  type EventInput,
  type EventName,
  type EventOf,
  type EventSchema,
  type EventSchemaEntry,
  type EventSchemaMap,
  type,
} from './defineEvents';
export {
  assertEventName,
  assertFieldValue,
  assertRetry,
  type EventFrame,
  encodeComment,
  encodeEvent,
  encodeRetry,
} from './encode';
export {
  InvalidFieldError,
  isSsekitError,
  SsekitError,
  type SsekitErrorCode,
  type SsekitErrorOptions,
  ValidationError,
} from './errors';
export {
  DEFAULT_MAX_EVENT_SIZE,
  isResumableId,
  MAX_ID_LENGTH,
  MAX_RESUME_ID_LENGTH,
} from './limits';
export { jsonSerializer, type Serializer } from './serializer';
export { type ValidationResult, validateEvent } from './validateEvent';
