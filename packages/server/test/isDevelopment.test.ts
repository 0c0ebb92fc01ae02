import { defineEvents } from '@ssekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createEventStream, createHub } from '../src/index';
import { isDevelopment } from '../src/isDevelopment';
import { memorySink } from './fixtures';

const events = defineEvents({ note: z.object({ text: z.string() }) });

/**
 * Run `body` while `globalThis.process.env` throws on access, as under `deno run --allow-net`
 * (`NotCapable: Requires env access to "NODE_ENV"`). Synchronous, so nothing else runs meanwhile.
 */
function withUnreadableEnv<T>(body: () => T): T {
  const real = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
  const denied = {
    get env(): never {
      throw new Error('NotCapable: Requires env access to "NODE_ENV", run again with --allow-env');
    },
  };
  Object.defineProperty(globalThis, 'process', { value: denied, configurable: true });
  try {
    return body();
  } finally {
    Object.defineProperty(globalThis, 'process', real);
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('isDevelopment', () => {
  it('is false only when NODE_ENV is production, read on every call', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(isDevelopment()).toBe(false);
    vi.stubEnv('NODE_ENV', 'development');
    expect(isDevelopment()).toBe(true);
    vi.stubEnv('NODE_ENV', undefined);
    expect(isDevelopment()).toBe(true);
  });

  it('does not read the environment where Deno would prompt for it', () => {
    let reads = 0;
    vi.stubGlobal('Deno', { permissions: { querySync: () => ({ state: 'prompt' }) } });
    vi.stubGlobal('process', {
      get env() {
        reads++;
        return { NODE_ENV: 'production' };
      },
    });
    try {
      expect(isDevelopment()).toBe(true);
      expect(reads).toBe(0);
      vi.stubGlobal('Deno', { permissions: { querySync: () => ({ state: 'granted' }) } });
      expect(isDevelopment()).toBe(false);
      expect(reads).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('returns true instead of throwing when reading the environment throws', () => {
    expect(withUnreadableEnv(() => isDevelopment())).toBe(true);
  });

  it('lets createHub and createEventStream run where the environment is unreadable', async () => {
    const hub = withUnreadableEnv(() => createHub({ events, heartbeat: false }));
    const stream = withUnreadableEnv(() =>
      createEventStream(memorySink(), { events, heartbeat: false }),
    );
    // Validation defaults to on, as in development.
    expect(() => stream.send('note', { text: 1 as unknown as string })).toThrow(/note/);
    stream.close();
    await hub.close();
  });
});
