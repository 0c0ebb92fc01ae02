import { describe, expect, test } from 'vitest';
import { isDevelopment } from '../src/isDevelopment';

/** Run `fn` with `globalThis.process` replaced by `value`, synchronously, and put it back. */
function withProcess<T>(value: unknown, fn: () => T): T {
  const before = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
  Object.defineProperty(globalThis, 'process', { value, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(globalThis, 'process', before);
  }
}

describe('isDevelopment', () => {
  test('does not throw when reading the environment throws (deno run --allow-net)', () => {
    const denied = {
      get env(): never {
        throw new Error('NotCapable: Requires env access to "NODE_ENV"');
      },
    };
    expect(withProcess(denied, isDevelopment)).toBe(true);
  });

  test('reads NODE_ENV on every call', () => {
    const proc = { env: { NODE_ENV: 'production' } as Record<string, string> };
    expect(withProcess(proc, isDevelopment)).toBe(false);
    proc.env.NODE_ENV = 'test';
    expect(withProcess(proc, isDevelopment)).toBe(true);
  });

  test('is development without any process (browsers, Workers)', () => {
    expect(withProcess(undefined, isDevelopment)).toBe(true);
  });

  test('does not read the environment where Deno would prompt for it', () => {
    let reads = 0;
    const proc = {
      get env() {
        reads++;
        return { NODE_ENV: 'production' };
      },
    };
    const g = globalThis as { Deno?: unknown };
    g.Deno = { permissions: { querySync: () => ({ state: 'prompt' }) } };
    try {
      expect(withProcess(proc, isDevelopment)).toBe(true);
      expect(reads).toBe(0);
      g.Deno = { permissions: { querySync: () => ({ state: 'granted' }) } };
      expect(withProcess(proc, isDevelopment)).toBe(false);
      expect(reads).toBe(1);
    } finally {
      delete g.Deno;
    }
  });
});
