/** Small statistics helpers: medians over rounds and a latency histogram. */

/** Median of the finite numbers in `values`; `undefined` when there are none. */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return undefined;
  xs.sort((a, b) => a - b);
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1]! + xs[mid]!) / 2;
}

/** 1 µs resolution below this many µs (~1 s), 1 ms resolution above it (up to 60 s). */
const FINE = 1 << 20;
const COARSE = 60_000;

/**
 * A fixed-memory latency histogram in microseconds: exact to 1 µs below ~1 s, to 1 ms above, so
 * recording millions of frames costs one array increment each and percentiles are exact enough.
 */
export class LatencyHistogram {
  readonly fine = new Uint32Array(FINE);
  readonly coarse = new Uint32Array(COARSE + 1);
  count = 0;
  negative = 0;

  /** Record `n` samples of `micros`. Negative values (clock skew; should not happen) are counted apart. */
  record(micros: number, n = 1): void {
    if (micros < 0) {
      this.negative += n;
      return;
    }
    if (micros < FINE) this.fine[micros | 0]! += n;
    else this.coarse[Math.min(COARSE, Math.floor(micros / 1000))]! += n;
    this.count += n;
  }

  /** The smallest recorded value that `p` (0..1) of the samples are at or below, in µs. */
  percentile(p: number): number | undefined {
    if (this.count === 0) return undefined;
    const target = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < FINE; i++) {
      seen += this.fine[i]!;
      if (seen >= target) return i;
    }
    for (let i = 0; i <= COARSE; i++) {
      seen += this.coarse[i]!;
      if (seen >= target) return i * 1000;
    }
    return COARSE * 1000;
  }
}
