/**
 * eventsource-parser alone, the way a hand-rolled client uses it: read the body, decode with a
 * streaming TextDecoder, feed the parser. The bar for any fetch-based client's parse speed.
 */
import { createParser } from 'eventsource-parser';
import type { ParseContender } from '../contender';

const contender: ParseContender = {
  kind: 'parse',
  name: 'eventsource-parser',
  description: 'eventsource-parser 4 fed from response.body with a streaming TextDecoder',
  async run({ fetch, url, expectedEvents }) {
    let events = 0;
    let dataChars = 0;
    const parser = createParser({
      onEvent(event) {
        events++;
        dataChars += event.data.length;
      },
    });
    const response = await fetch(url);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    while (events < expectedEvents) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    await reader.cancel();
    return { events, dataChars };
  },
};

export default contender;
