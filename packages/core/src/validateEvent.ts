import type { StandardSchemaV1 } from '@standard-schema/spec';
import { canValidate, type EventData, type EventName, type EventSchema } from './defineEvents';
import { EXCERPT, preview, ValidationError } from './errors';

/**
 * The outcome of {@link validateEvent}: the (possibly transformed) value, or a typed error.
 *
 * @example
 * ```ts
 * const result: ValidationResult<unknown> | Promise<ValidationResult<unknown>> = validateEvent(
 *   events,
 *   'notification',
 *   { id: '1', title: 'Hi', unread: 1 },
 * );
 * if (!(result instanceof Promise)) console.log(result.ok ? result.value : result.error.issues);
 * ```
 */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ValidationError };

/**
 * Every issue as `path: message (got <value at path>)`, joined with `; `, then the payload when
 * it is short and some issue points inside it (a root issue already shows it). Each value is
 * truncated, so a 1 MiB payload never becomes a 1 MiB message; the issues stay on the error.
 * @internal
 */
function describeIssues(issues: readonly StandardSchemaV1.Issue[], value: unknown): string {
  let nested = false;
  const text = issues
    .map(({ path = [], message }) => {
      let at = value;
      const keys = path.map((segment) => {
        const key = typeof segment === 'object' ? segment.key : segment;
        // `?.` stops at null and undefined; any other primitive indexes to undefined, never throws.
        at = (at as Record<PropertyKey, unknown> | undefined)?.[key];
        nested = true;
        return String(key);
      });
      return `${keys.length ? `${keys.join('.')}: ` : ''}${message} (got ${preview(at)})`;
    })
    .join('; ');
  const payload = preview(value);
  // A truncated payload (longer than EXCERPT) says nothing the issues' own values do not.
  return nested && payload.length <= EXCERPT ? `${text}. Payload: ${payload}` : text;
}

/** @internal */
function toResult<T>(
  name: string,
  id: string | undefined,
  value: unknown,
  result: StandardSchemaV1.Result<unknown>,
): ValidationResult<T> {
  if (result.issues === undefined) return { ok: true, value: result.value as T };
  return {
    ok: false,
    error: new ValidationError(
      'schema-mismatch',
      name,
      `Event "${name}"${id === undefined ? '' : ` (id ${id})`} failed validation: ${describeIssues(result.issues, value)}`,
      { id, issues: result.issues },
    ),
  };
}

/**
 * Validate one payload against its event's schema. Returns synchronously when the validator is
 * synchronous (zod, valibot, arktype usually are), so hot paths never wait a microtask; returns a
 * promise only for an async validator. Type-only events ({@link type}) pass as they are. Never
 * throws for bad input: an unknown name or a failing payload comes back as `{ ok: false, error }`.
 *
 * @example Validating a received payload
 * ```ts
 * const result = validateEvent(events, 'notification', JSON.parse(raw));
 * if (result instanceof Promise) await result; // only for async validators
 * else if (!result.ok) console.warn(result.error.issues);
 * ```
 */
export function validateEvent<E extends EventSchema, K extends EventName<E>>(
  events: E,
  name: K,
  value: unknown,
  options: { id?: string | undefined } = {},
): ValidationResult<EventData<E, K>> | Promise<ValidationResult<EventData<E, K>>> {
  const { id } = options;
  if (!events.has(name)) {
    return {
      ok: false,
      error: new ValidationError(
        'unknown-event',
        name,
        `Unknown event "${name}" (known: ${events.names.join(', ')}); add it to defineEvents() or check for version skew`,
        { id },
      ),
    };
  }
  const schema = events.schemas[name]!;
  if (!canValidate(schema)) return { ok: true, value: value as EventData<E, K> };
  let outcome: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
  try {
    outcome = schema['~standard'].validate(value);
  } catch (cause) {
    return { ok: false, error: thrown(name, id, cause) };
  }
  if (outcome instanceof Promise) {
    return outcome.then(
      (result) => toResult<EventData<E, K>>(name, id, value, result),
      (cause: unknown) => ({ ok: false as const, error: thrown(name, id, cause) }),
    );
  }
  return toResult(name, id, value, outcome);
}

/** A validator that threw instead of returning issues. @internal */
function thrown(name: string, id: string | undefined, cause: unknown): ValidationError {
  return new ValidationError(
    'schema-mismatch',
    name,
    `The validator of "${name}" threw: ${(cause as Error)?.message ?? cause}`,
    { id, cause },
  );
}
