// The names every adapter entry re-exports (`export * from './sharedExports'`), so an app needs
// only its host's entry. The root entry lists them itself: it may not import `adapters/`.

export type {
  AuthResult,
  StreamContext,
  StreamRequest,
} from '../http/handlerOptions';
export type { Identity } from '../hub/hub';
export { isRefusal, type Refusal, refuse } from '../hub/refusal';
export type {
  CloseOptions,
  EventStreamOptions,
  EventStreamWriter,
  SendOptions,
} from '../stream/eventStream';
