/**
 * How payloads become `data:` text and back. The default is JSON; swap it (superjson, devalue)
 * on both sides to carry dates, maps or bigints. Schemas always describe the parsed value.
 *
 * @example Dates that survive the wire
 * ```ts
 * const withDates: Serializer = {
 *   stringify: (value) => JSON.stringify(value),
 *   parse: (text) =>
 *     JSON.parse(text, (_, v) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? new Date(v) : v)),
 * };
 * withDates.parse('{"at":"2026-01-01T00:00:00.000Z"}'); // { at: Date }
 * ```
 */
export interface Serializer {
  /** Turn a payload into the text of its `data:` lines. */
  stringify(value: unknown): string;
  /** Turn `data:` text back into a payload; throw on malformed input. */
  parse(text: string): unknown;
}

/**
 * The default {@link Serializer}: `JSON.stringify` / `JSON.parse`.
 *
 * @example
 * ```ts
 * jsonSerializer.stringify({ unread: 3 }); // '{"unread":3}'
 * ```
 */
export const jsonSerializer: Serializer = {
  // JSON.stringify(undefined) returns undefined; encodeEvent then refuses it as non-string data.
  stringify: JSON.stringify,
  parse: JSON.parse,
};
