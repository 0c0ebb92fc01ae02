/**
 * @ssekit/client as an app uses it, given the recorded response through `connect`'s `fetch`
 * option. `textSerializer` hands `data` over as the raw text, like the other contenders (with the
 * default JSON serializer the figure would measure `JSON.parse`, not the client).
 */
import { connect, textSerializer } from '@ssekit/client';
import type { ParseContender } from '../contender';

const contender: ParseContender = {
  kind: 'parse',
  name: 'ssekit-client',
  description: '@ssekit/client: connect(url, { fetch, serializer: textSerializer }).onEvent(...)',
  run({ fetch, url, expectedEvents }) {
    return new Promise((resolve, reject) => {
      let events = 0;
      let dataChars = 0;
      const stream = connect(url, { fetch, serializer: textSerializer });
      const finish = () => {
        stream.close();
        resolve({ events, dataChars });
      };
      stream.onEvent((event) => {
        events++;
        dataChars += (event.data as string).length;
        if (events === expectedEvents) finish();
      });
      stream.onError((error) => {
        stream.close();
        reject(error);
      });
      // The end of the recorded stream makes the client reconnect: stop there.
      stream.subscribe(() => {
        if (stream.status.state === 'reconnecting' && events > 0) finish();
      });
    });
  },
};

export default contender;
