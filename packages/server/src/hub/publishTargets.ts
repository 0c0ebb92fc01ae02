import { SsekitError } from '@ssekit/core';
import type { PublishOptions } from './hub';

/**
 * @internal The targets of a publish. No options is a broadcast; a `to` or `topic` that is
 * present must name someone, or the publish is refused — never widened to everyone.
 */
export function targetsOf(options: PublishOptions | undefined): {
  topic: string | undefined;
  to: readonly string[] | undefined;
} {
  if (options === undefined) return { topic: undefined, to: undefined };
  if (typeof options !== 'object' || options === null) {
    throw new SsekitError(
      'invalid-target',
      `publish: options must be an object like { to: userId } or { topic }, got ${String(options)}. Omit them to publish to everyone.`,
    );
  }
  let topic: string | undefined;
  let to: readonly string[] | undefined;
  // Each field is read once and checked as read: a getter cannot answer differently later.
  if ('topic' in options) {
    const raw = options.topic as unknown;
    if (typeof raw !== 'string' || raw === '') {
      throw new SsekitError(
        'invalid-target',
        `publish: \`topic\` is ${JSON.stringify(raw) ?? 'undefined'}; pass a non-empty topic, or leave \`topic\` out to reach every connection.`,
      );
    }
    topic = raw;
  }
  if ('to' in options) {
    const raw = options.to as unknown;
    // Checked on a copy, so what is checked is what is kept.
    const list =
      typeof raw === 'string' ? [raw] : Array.isArray(raw) ? [...(raw as unknown[])] : [];
    if (list.length === 0 || list.some((user) => typeof user !== 'string' || user === '')) {
      throw new SsekitError(
        'invalid-target',
        `publish: \`to\` is ${JSON.stringify(raw) ?? 'undefined'} — a missing user id? Pass a user id or a non-empty list of them; leave \`to\` out only to reach everyone.`,
      );
    }
    // `list` is already the hub's own array: freeze it (or its deduplicated copy), no second copy.
    to = Object.freeze(list.length < 2 ? (list as string[]) : [...new Set(list as string[])]);
  }
  return { topic, to };
}

/**
 * @internal The hub's own frozen copy of a caller's list, deduplicated, keeping order: the hub
 * keeps what it was given (in the log, on a connection), so an app that reuses the array and
 * changes it later must not change whom a kept event or connection is for.
 */
export function dedupe(list: readonly string[]): readonly string[] {
  return Object.freeze(list.length < 2 ? list.slice() : [...new Set(list)]);
}
