/**
 * `@ssekit/client/tabs` in Node: the fallback to a plain connection where Web Locks or
 * BroadcastChannel are missing, the option checks, and the leader/follower protocol itself with
 * an in-process Web Locks stand-in over Node's real BroadcastChannel (streams of one process
 * play the tabs). The real browser, with real tabs, is in packages/tests (issue 13).
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect as plainConnect } from '../src/index';
import { connect } from '../src/tabs';
import type { EventStream } from '../src/types';
import { type ScriptedServer, sseHead, startServer, until } from './fixtures';

/**
 * A replaying SSE server: `publish(n)` sends `id: n` / `data: n` to every open stream, and a
 * request with `Last-Event-ID: k` first gets every event after k.
 */
async function replayingServer() {
  const log: number[] = [];
  const open = new Set<ServerResponse>();
  const server = await startServer((req, res) => {
    sseHead(res);
    const after = Number(req.headers['last-event-id'] ?? 0);
    for (const n of log) if (n > after) res.write(`id: ${n}\ndata: ${n}\n\n`);
    open.add(res);
    res.on('close', () => open.delete(res));
  });
  return {
    server,
    open,
    publish(n: number) {
      log.push(n);
      for (const res of open) res.write(`id: ${n}\ndata: ${n}\n\n`);
    },
  };
}

/** A Web Locks stand-in: one holder per name, requests granted in order, `signal` to leave the line. */
function fakeLocks() {
  const held = new Set<string>();
  const lines = new Map<string, (() => void)[]>();
  const next = (name: string) => {
    held.delete(name);
    lines.get(name)?.shift()?.();
  };
  return {
    request(name: string, options: { signal?: AbortSignal }, callback: () => unknown) {
      return new Promise((resolve, reject) => {
        const grant = () => {
          held.add(name);
          Promise.resolve(callback()).then(
            (value) => {
              next(name);
              resolve(value);
            },
            (error) => {
              next(name);
              reject(error);
            },
          );
        };
        if (!held.has(name)) return grant();
        const line = lines.get(name) ?? [];
        lines.set(name, line);
        line.push(grant);
        options.signal?.addEventListener('abort', () => {
          const at = line.indexOf(grant);
          if (at >= 0) line.splice(at, 1);
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    },
  };
}

const collect = (stream: EventStream) => {
  const got: unknown[] = [];
  stream.onEvent((e) => got.push(e.data));
  return got;
};

let server: ScriptedServer | undefined;
const streams: EventStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  vi.unstubAllGlobals();
  await server?.close();
  server = undefined;
});

describe('fallback to a plain connection', () => {
  it('connects on its own in Node, where there is no Web Locks', async () => {
    const replay = await replayingServer();
    server = replay.server;
    expect((globalThis as any).navigator?.locks).toBeUndefined();
    const a = connect(server.url, {
      shareAcrossTabs: true,
      shareKey: 'u1',
      headers: { authorization: 'Bearer t' },
    });
    const b = connect(server.url, { shareAcrossTabs: true, shareKey: 'u1', headers: {} });
    streams.push(a, b);
    const [gotA, gotB] = [collect(a), collect(b)];
    await until(() => replay.open.size === 2);
    replay.publish(1);
    await until(() => gotA.length === 1 && gotB.length === 1);
    expect(server.requests.map((r) => r.headers.authorization)).toContain('Bearer t');
    expect(a.status.state).toBe('open');
  });

  it('connects on its own where BroadcastChannel is missing, even with Web Locks', async () => {
    const replay = await replayingServer();
    server = replay.server;
    const locks = fakeLocks();
    const request = vi.spyOn(locks, 'request');
    vi.stubGlobal('navigator', { locks });
    vi.stubGlobal('BroadcastChannel', undefined);
    const a = connect(server.url, { shareAcrossTabs: true, shareKey: '' });
    const b = connect(server.url, { shareAcrossTabs: true, shareKey: '' });
    streams.push(a, b);
    await until(() => replay.open.size === 2);
    expect(request).not.toHaveBeenCalled();
  });

  it('is the plain connect without shareAcrossTabs', async () => {
    const replay = await replayingServer();
    server = replay.server;
    const locks = fakeLocks();
    const request = vi.spyOn(locks, 'request');
    vi.stubGlobal('navigator', { locks });
    const a = connect(server.url);
    const b = connect(server.url, { shareAcrossTabs: false });
    streams.push(a, b);
    await until(() => replay.open.size === 2);
    expect(request).not.toHaveBeenCalled();
  });
});

describe('option checks', () => {
  it.each([
    ['headers', { headers: {} }],
    // Issue 24 item 2: cookie auth has no headers, and a user switch in the same browser joined
    // bob's new tab to alice's stream.
    ['cookies (no headers)', {}],
    ['cookies sent cross-origin', { credentials: 'include' as const }],
  ])('refuses to share a stream opened with %s but no shareKey', (_, options) => {
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    expect(() => connect('http://127.0.0.1:9/', { shareAcrossTabs: true, ...options })).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: expect.stringMatching(/needs a shareKey .* naming whose credentials/),
      }),
    );
  });

  it.each([
    ['shareKey null', { shareKey: null }],
    ['shareKey an object', { shareKey: { id: 'u1' } }],
    ['shareKey a number', { shareKey: 5 }],
    ['shareAcrossTabs a string', { shareAcrossTabs: 'yes', shareKey: 'u1' }],
  ])('fails closed on %s: never one group for every user', (_, bad) => {
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    const options = { shareAcrossTabs: true, headers: { a: 'b' }, ...bad } as never;
    expect(() => connect('http://127.0.0.1:9/', options)).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: expect.stringMatching(/shareKey/),
      }),
    );
  });

  it('checks the other options in every tab, not only in the leader', () => {
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    expect(() =>
      connect('http://127.0.0.1:9/', { shareAcrossTabs: true, shareKey: '', maxEventSize: 0 }),
    ).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(() =>
      connect('http://127.0.0.1:9/', { shareAcrossTabs: true, shareKey: '', lastEventId: 'a\nb' }),
    ).toThrow(expect.objectContaining({ code: 'invalid-field' }));
  });

  it('makes the plain connect refuse shareAcrossTabs, naming the entry that has it', () => {
    expect(() => plainConnect('http://127.0.0.1:9/', { shareAcrossTabs: true })).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: expect.stringMatching(/@ssekit\/client\/tabs/),
      }),
    );
  });
});

describe('one connection for the group (in-process locks, real BroadcastChannel)', () => {
  const open = (url: string, options = {}) => {
    const s = connect(url, { shareAcrossTabs: true, shareKey: '', ...options });
    streams.push(s);
    return s;
  };

  it('connects once, forwards events and status, and hands over with nothing lost or doubled', async () => {
    const replay = await replayingServer();
    server = replay.server;
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    const tabs = [open(server.url), open(server.url), open(server.url)];
    const got = tabs.map(collect);
    await until(() => tabs.every((t) => t.status.state === 'open'));
    expect(server.requests).toHaveLength(1);
    for (let n = 1; n <= 10; n++) replay.publish(n);
    await until(() => got.every((g) => g.length === 10));
    expect(tabs[2]!.lastEventId).toBe('10');

    // The leader goes while events keep coming: the next tab resumes from id 10.
    tabs[0]!.close();
    for (let n = 11; n <= 15; n++) replay.publish(n);
    await until(() => server!.requests.length === 2 && replay.open.size === 1);
    expect(server.requests[1]!.lastEventId).toBe('10');
    for (let n = 16; n <= 20; n++) replay.publish(n);
    const all = Array.from({ length: 20 }, (_, i) => i + 1);
    await until(() => got[1]!.length === 20 && got[2]!.length === 20);
    expect(got[1]).toEqual(all);
    expect(got[2]).toEqual(all);
    expect(got[0]).toEqual(all.slice(0, 10));
  });

  /**
   * A leader that died with messages in flight reached the tabs unevenly. The test plays that
   * old leader on the group's channel (holding the lock), tells each tab a different term, then
   * sends event 6 only to the term of `ahead`; then it "dies" (releases the lock): the first tab
   * in line becomes leader.
   */
  async function unevenHandOver(firstInLine: 'ahead' | 'behind') {
    const replay = await replayingServer();
    server = replay.server;
    const locks = fakeLocks();
    vi.stubGlobal('navigator', { locks });
    const name = `ssekit:GET ${new URL(server.url).href}\0`;
    let die!: () => void;
    await new Promise<void>((held) => {
      void locks.request(name, {}, () => {
        held();
        return new Promise<void>((resolve) => {
          die = resolve;
        });
      });
    });
    const old = new BroadcastChannel(name);
    const hellos: string[] = [];
    old.onmessage = ({ data }) => {
      if (data.k === 'hello') hellos.push(data.from);
    };
    const status = { state: 'open', attempt: 0, retryAt: undefined };
    const first = open(server.url);
    await until(() => hellos.length === 1);
    const second = open(server.url);
    await until(() => hellos.length === 2);
    const [ahead, behind] = firstInLine === 'ahead' ? [first, second] : [second, first];
    const termOf = (tab: EventStream) => (tab === first ? 'old.1' : 'old.2');
    old.postMessage({ k: 'sync', to: hellos[0], term: 'old.1', s: status, events: [] });
    old.postMessage({ k: 'sync', to: hellos[1], term: 'old.2', s: status, events: [] });
    const got = [collect(first), collect(second)];
    for (let n = 1; n <= 6; n++) {
      replay.publish(n);
      const e = { e: { type: 'message', data: n, id: String(n) }, last: String(n) };
      old.postMessage({ k: 'ev', term: termOf(ahead), m: e });
      if (n < 6) old.postMessage({ k: 'ev', term: termOf(behind), m: e });
    }
    await until(() => ahead.lastEventId === '6' && behind.lastEventId === '5');
    old.close();
    die();
    await until(() => replay.open.size === 1);
    for (let n = 7; n <= 8; n++) replay.publish(n);
    await until(() => got.every((g) => g.at(-1) === 8));
    return got;
  }

  it('drops what a tab already had when the new leader resumes from further back', async () => {
    const got = await unevenHandOver('behind');
    expect(server!.requests[0]!.lastEventId).toBe('5');
    for (const g of got) expect(g).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('catches a tab up from the new leader when it resumes from further on', async () => {
    const got = await unevenHandOver('ahead');
    expect(server!.requests[0]!.lastEventId).toBe('6');
    for (const g of got) expect(g).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('takes only the answer to its latest hello, so a catch-up is never applied twice', async () => {
    const replay = await replayingServer();
    server = replay.server;
    const locks = fakeLocks();
    vi.stubGlobal('navigator', { locks });
    const name = `ssekit:GET ${new URL(server.url).href}\0`;
    await new Promise<void>((held) => {
      void locks.request(name, {}, () => {
        held();
        return new Promise<void>(() => {});
      });
    });
    const leader = new BroadcastChannel(name);
    const hellos: { from: string; last: string | undefined }[] = [];
    leader.onmessage = ({ data }) => {
      if (data.k === 'hello') hellos.push(data);
    };
    const tab = open(server.url, { lastEventId: '1' });
    const got = collect(tab);
    await until(() => hellos.length === 1);
    // A leader (re)announces itself before answering: the tab says hello again.
    leader.postMessage({ k: 'lead', term: 't.1' });
    await until(() => hellos.length === 2);
    const status = { state: 'open', attempt: 0, retryAt: undefined };
    const two = { e: { type: 'message', data: 2, id: '2' }, last: '2' };
    for (const h of hellos) {
      leader.postMessage({ k: 'sync', to: h.from, term: 't.1', s: status, events: [two] });
    }
    const three = { e: { type: 'message', data: 3, id: '3' }, last: '3' };
    leader.postMessage({ k: 'ev', term: 't.1', m: three });
    await until(() => got.includes(3));
    expect(got).toEqual([2, 3]);
    leader.close();
  });

  it('tells the other tabs about an event whose payload cannot be forwarded', async () => {
    const replay = await replayingServer();
    server = replay.server;
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    // A serializer whose payloads hold a function: structured clone refuses them.
    const serializer = {
      parse: (text: string) => ({ n: Number(text), f: () => {} }),
      stringify: String,
    };
    const [leader, follower] = [open(server.url, { serializer }), open(server.url, { serializer })];
    const errors: { code: string; message: string }[] = [];
    follower.onError((e) => errors.push(e));
    const got = collect(leader);
    await until(() => follower.status.state === 'open');
    replay.publish(1);
    await until(() => got.length === 1 && errors.length === 1);
    expect(errors[0]).toMatchObject({
      code: 'invalid-json',
      message: expect.stringContaining('id 1'),
    });
  });

  it('tells the other tabs about a class instance, which structured clone would strip', async () => {
    const replay = await replayingServer();
    server = replay.server;
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    class Money {
      constructor(readonly cents: number) {}
      format() {
        return (this.cents / 100).toFixed(2);
      }
    }
    // A schema's transform would do the same: the payload holds a class instance.
    const serializer = {
      parse: (text: string) => ({
        at: new Date(0),
        tags: new Set(['a']),
        money: new Money(Number(text)),
      }),
      stringify: String,
    };
    const plain = {
      parse: (text: string) => ({ at: new Date(0), tags: new Set(['a']), n: Number(text) }),
      stringify: String,
    };
    const [leader, follower] = [open(server.url, { serializer }), open(server.url, { serializer })];
    const errors: { code: string; message: string }[] = [];
    const followed: unknown[] = [];
    follower.onError((e) => errors.push(e));
    follower.onEvent((e) => followed.push(e.data));
    const got = collect(leader);
    await until(() => follower.status.state === 'open');
    replay.publish(5);
    await until(() => got.length === 1 && errors.length === 1);
    expect(errors[0]).toMatchObject({
      code: 'invalid-json',
      message: expect.stringContaining('Could not forward'),
    });
    expect(followed).toEqual([]);
    leader.close();
    follower.close();
    // Dates, Sets and plain objects are cloned as they are: forwarded.
    const [a, b] = [
      open(server.url, { serializer: plain }),
      open(server.url, { serializer: plain }),
    ];
    const seen: unknown[] = [];
    b.onEvent((e) => seen.push(e.data));
    await until(() => b.status.state === 'open');
    replay.publish(6);
    // The server replays 5 to the new pair first (it keeps its whole log).
    await until(() => seen.length === 2);
    expect(seen[1]).toEqual({ at: new Date(0), tags: new Set(['a']), n: 6 });
    a.close();
    b.close();
  });

  it('keeps the others connected when a follower closes; the last close ends the stream', async () => {
    const replay = await replayingServer();
    server = replay.server;
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    const [leader, follower] = [open(server.url), open(server.url)];
    const got = collect(leader);
    await until(() => follower.status.state === 'open');
    follower.close();
    expect(follower.status).toMatchObject({ state: 'closed', reason: 'closed-by-client' });
    replay.publish(1);
    await until(() => got.length === 1);
    expect(leader.status.state).toBe('open');
    leader.close();
    await until(() => replay.open.size === 0);
    expect(server.requests).toHaveLength(1);
  });

  it('forwards reconnect() from a follower to the leader', async () => {
    const replay = await replayingServer();
    server = replay.server;
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    const [, follower] = [open(server.url), open(server.url)];
    await until(() => follower.status.state === 'open');
    follower.reconnect();
    await until(() => server!.requests.length === 2 && replay.open.size === 1);
  });

  it('shares only between tabs of the same shareKey', async () => {
    const replay = await replayingServer();
    server = replay.server;
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    const auth = (user: string) => ({ headers: { authorization: user }, shareKey: user });
    open(server.url, auth('alice'));
    open(server.url, auth('alice'));
    open(server.url, auth('bob'));
    await until(() => replay.open.size === 2);
    expect(server.requests.map((r) => r.headers.authorization).sort()).toEqual(['alice', 'bob']);
  });

  it('closes every tab when the server ends the stream for good', async () => {
    server = await startServer((_req, res) => {
      sseHead(res);
      res.end('event: ssekit.close\ndata: {}\n\n');
    });
    vi.stubGlobal('navigator', { locks: fakeLocks() });
    const tabs = [open(server.url), open(server.url)];
    await until(() => tabs.every((t) => t.closed));
    for (const t of tabs) expect(t.status.reason).toBe('ended-by-server');
    expect(server.requests).toHaveLength(1);
  });
});
