/** @internal A Redis stream id as XADD assigns it. */
export const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * Order two stream ids (`<ms>-<seq>`, each up to 2^64) without BigInt: by the length of each
 * decimal part, then its digits. Anything that is not a stream id orders first.
 *
 * @example
 * ```ts
 * compareStreamIds('1700000000000-1', '1700000000000-2'); // < 0
 * compareStreamIds('99-0', '100-0'); // < 0: numeric, not string order
 * ```
 */
export function compareStreamIds(a: string, b: string): number {
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  if (!STREAM_ID.test(a)) return STREAM_ID.test(b) ? -1 : 0;
  if (!STREAM_ID.test(b)) return 1;
  return (
    compareDigits(a.slice(0, da), b.slice(0, db)) || compareDigits(a.slice(da + 1), b.slice(db + 1))
  );
}

/** @internal Two decimal numbers without leading zeros (as Redis writes them). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
