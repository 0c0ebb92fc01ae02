/** @internal A Redis stream id as XADD assigns it. */
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
/** @internal An id part as Redis writes it: no leading zero. */
const PART = /^(?:0|[1-9]\d{0,19})$/;
/** @internal The largest part of a stream id, 2^64 − 1. */
const MAX_PART = '18446744073709551615';

/**
 * @internal Whether Redis can have issued `id`: `<ms>-<seq>`, each part a decimal without a
 * leading zero and at most 2^64 − 1. Anything else (a part past 2^64, which XRANGE refuses with
 * an error) is no position of this broker's, and gets a reset.
 */
export function isStreamId(id: string): boolean {
  const dash = id.indexOf('-');
  if (dash === -1) return false;
  const parts = [id.slice(0, dash), id.slice(dash + 1)];
  return parts.every((part) => PART.test(part) && compareDigits(part, MAX_PART) <= 0);
}

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
