/**
 * How payloads become `data:` text and back. The default is JSON; swap it (superjson, devalue)
 * on both sides to carry dates, maps or bigints. Schemas always describe the parsed value.
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
  stringify: (value) => {
    const text = JSON.stringify(value);
    // JSON.stringify(undefined) is undefined, which would write `data: undefined`.
    if (text === undefined)
      throw new TypeError(
        'Cannot serialise undefined (or a function/symbol) as JSON; send null instead.',
      );
    return text;
  },
  parse: (text) => JSON.parse(text),
};
