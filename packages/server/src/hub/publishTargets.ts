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
  if ('topic' in options) {
    if (typeof options.topic !== 'string' || options.topic === '') {
      throw new SsekitError(
        'invalid-target',
        `publish: \`topic\` is ${JSON.stringify(options.topic) ?? 'undefined'}; pass a non-empty topic, or leave \`topic\` out to reach every connection.`,
      );
    }
    topic = options.topic;
  }
  if ('to' in options) {
    const raw = options.to as unknown;
    const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? (raw as unknown[]) : [];
    if (list.length === 0 || list.some((user) => typeof user !== 'string' || user === '')) {
      throw new SsekitError(
        'invalid-target',
        `publish: \`to\` is ${JSON.stringify(raw) ?? 'undefined'} — a missing user id? Pass a user id or a non-empty list of them; leave \`to\` out only to reach everyone.`,
      );
    }
    to = dedupe(list as string[]);
  }
  return { topic, to };
}

/** @internal Deduplicate a list, keeping order; `undefined` stays `undefined`. */
export function dedupe(list: readonly string[] | undefined): readonly string[] | undefined {
  if (list === undefined || list.length < 2) return list;
  return [...new Set(list)];
}
