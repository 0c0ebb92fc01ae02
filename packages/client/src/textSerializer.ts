import type { Serializer } from '@ssekit/core';

/**
 * A pass-through {@link Serializer}: `data` is the raw `data:` text. Use it with servers that
 * send plain text instead of JSON (the default).
 *
 * @example
 * ```ts
 * const stream = connect('/ticker', { serializer: textSerializer });
 * stream.on('message', (text) => console.log(text));
 * ```
 */
export const textSerializer: Serializer = {
  stringify: String,
  parse: (text) => text,
};
