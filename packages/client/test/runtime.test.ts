/** Host integration: unref'd timers in Node, opt-in page-visibility pausing. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect } from '../src/index';
import { liveResponse, scriptedFetch, statusWhere, until } from './fixtures';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('timers', () => {
  it('lets a Node process exit while a reconnect is scheduled', async () => {
    // The child fails to connect (port 9 is closed) and schedules a retry a minute away; an
    // unref'd timer lets it exit at once, a ref'd one would keep it alive for that minute.
    const script = `
      import { connect } from './packages/client/src/index.ts';
      const s = connect('http://127.0.0.1:9/', { retry: { initial: 60000 } });
      s.subscribe(() => console.log(s.status.state, s.status.error?.code));`;
    const started = Date.now();
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--conditions=@ssekit/source', '--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: root, timeout: 15_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    expect(output).toContain('reconnecting network');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('pauseWhenHidden', () => {
  const page = Object.assign(new EventTarget(), { hidden: false });
  const setHidden = (hidden: boolean) => {
    page.hidden = hidden;
    page.dispatchEvent(new Event('visibilitychange'));
  };
  (globalThis as any).document = page;
  afterEach(() => {
    page.hidden = false;
  });

  it('disconnects while the page is hidden and resumes with Last-Event-ID when visible', async () => {
    const { fetch, calls } = scriptedFetch((n, request) => {
      const live = liveResponse(request.signal);
      live.write(`id: ${n}\ndata: ${n}\n\n`);
      return live.response;
    });
    const stream = connect('http://x.test/', { fetch, pauseWhenHidden: true });
    await until(() => stream.lastEventId === '0');
    // Fake timers from here on, so any retry the client might schedule while hidden can be run
    // at once, whatever its delay.
    vi.useFakeTimers();
    try {
      setHidden(true);
      expect(calls[0]!.signal.aborted).toBe(true);
      await statusWhere(stream, (status) => status.state === 'reconnecting');
      await vi.runAllTimersAsync();
      expect(calls).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
    setHidden(false);
    await until(() => stream.status.state === 'open');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers.get('last-event-id')).toBe('0');
    expect(stream.status.error).toBeUndefined();
    stream.close();
  });

  it('ignores visibility unless asked to', async () => {
    const { fetch, calls } = scriptedFetch((_n, request) => liveResponse(request.signal).response);
    const stream = connect('http://x.test/', { fetch });
    await until(() => stream.status.state === 'open');
    setHidden(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls[0]!.signal.aborted).toBe(false);
    expect(stream.status.state).toBe('open');
    stream.close();
  });

  it('waits for the page to be visible before the first request', async () => {
    page.hidden = true;
    const { fetch, calls } = scriptedFetch((_n, request) => liveResponse(request.signal).response);
    const stream = connect('http://x.test/', { fetch, pauseWhenHidden: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(0);
    expect(stream.status.state).toBe('connecting');
    setHidden(false);
    await until(() => stream.status.state === 'open');
    stream.close();
  });
});
