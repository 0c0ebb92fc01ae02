/**
 * @microsoft/fetch-event-source with the recorded response through its `fetch` option. It reads
 * `window` and `document` even with `openWhenHidden`, so this file gives Node the two globals it
 * touches (this contender runs alone in its own child process).
 */
import { fetchEventSource } from '@microsoft/fetch-event-source';
import type { ParseContender } from '../contender';

const g = globalThis as Record<string, unknown>;
g.window ??= globalThis;
g.document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };

const contender: ParseContender = {
  kind: 'parse',
  name: 'fetch-event-source',
  description: '@microsoft/fetch-event-source 2: fetchEventSource(url, { fetch, onmessage })',
  async run({ fetch, url, expectedEvents }) {
    let events = 0;
    let dataChars = 0;
    const controller = new AbortController();
    await fetchEventSource(url, {
      fetch,
      signal: controller.signal,
      openWhenHidden: true,
      onmessage(message) {
        // It dispatches every blank line, comments and `retry:`-only frames included (the spec
        // dispatches nothing without data), so a user filters those out.
        if (message.data === '') return;
        events++;
        dataChars += message.data.length;
        if (events === expectedEvents) controller.abort();
      },
      onerror(error) {
        // Never retry: an error ends the pass (and fails the event-count check).
        throw error;
      },
    });
    return { events, dataChars };
  },
};

export default contender;
