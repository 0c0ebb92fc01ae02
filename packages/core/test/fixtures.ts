import { createParser, type EventSourceMessage } from 'eventsource-parser';

export { seededRandom } from '@ssekit/test-utils';

/** Parse SSE text with eventsource-parser (the reference parser), fed in the given chunk sizes. */
export function parseWire(text: string, chunkSize = text.length || 1): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  for (let i = 0; i < text.length; i += chunkSize) parser.feed(text.slice(i, i + chunkSize));
  return events;
}

const PIECES = [
  '\r\n',
  '\r',
  '\n',
  ' ',
  '  ',
  ':',
  'data:',
  'id: 1',
  'é',
  '日本',
  '🎉',
  '\u2028',
  '\t',
  'x',
  'event',
  '{"a":1}',
  '\\',
];

/** A random string built from pieces that stress the wire format (line breaks, colons, spaces, unicode). */
export function randomText(random: () => number, maxPieces = 40): string {
  let out = '';
  const n = Math.floor(random() * maxPieces);
  for (let i = 0; i < n; i++) {
    if (random() < 0.2) out += String.fromCharCode(0x20 + Math.floor(random() * 0x5e));
    else out += PIECES[Math.floor(random() * PIECES.length)];
  }
  return out;
}

/** What a spec parser gives back for `data`: every line ending arrives as LF. */
export const normaliseLineEndings = (data: string) => data.replace(/\r\n|\r/g, '\n');
