/**
 * The clock every bench process shares. `process.hrtime()` reads CLOCK_MONOTONIC, which on Linux is
 * one system-wide clock, so a timestamp taken in the server child can be subtracted from one taken
 * in the load-generator child (unlike `performance.timeOrigin`, which each process derives from the
 * wall clock at its own start).
 */

/** Microseconds on the machine-wide monotonic clock (exact integer; safe for ~285 years of uptime). */
export function nowMicros(): number {
  const [s, ns] = process.hrtime();
  return s * 1_000_000 + Math.floor(ns / 1000);
}
