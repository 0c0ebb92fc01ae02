/**
 * The `eventsource` package (v4, the spec-compliant EventSource for Node), given the recorded
 * response through its `fetch` option; one listener per event name, as the API requires.
 */
import { EventSource } from 'eventsource';
import type { ParseContender } from '../contender';

const contender: ParseContender = {
  kind: 'parse',
  name: 'eventsource',
  description: 'eventsource 4: new EventSource(url, { fetch }), addEventListener per event name',
  run({ fetch, url, expectedEvents, eventNames }) {
    return new Promise((resolve, reject) => {
      let events = 0;
      let dataChars = 0;
      const source = new EventSource(url, { fetch });
      const finish = () => {
        source.close();
        resolve({ events, dataChars });
      };
      const listener = (event: MessageEvent<string>) => {
        events++;
        dataChars += event.data.length;
        if (events === expectedEvents) finish();
      };
      source.addEventListener('message', listener);
      for (const name of eventNames) source.addEventListener(name, listener);
      source.addEventListener('error', () => {
        // The end of the recorded stream makes EventSource reconnect; stop there.
        if (events < expectedEvents && events > 0) finish();
        else if (events === 0) reject(new Error('eventsource failed before any event'));
      });
    });
  },
};

export default contender;
