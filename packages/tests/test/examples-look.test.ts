/**
 * The examples' shared look is one file, `examples/look/look.css`, copied into each example so any
 * example can be copied out of the repository on its own (see examples/look/README.md). This keeps
 * the copies from drifting: each is the shared file, the Next.js example's `globals.css` the shared
 * file followed by that example's own rules.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) =>
  readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8');
const shared = read('look/look.css');

describe("the examples' copies of look.css", () => {
  it.each(['live-balance', 'live-logs', 'notifications', 'sync-progress'])(
    'examples/%s/src/look.css is examples/look/look.css',
    (example) => {
      expect(read(`${example}/src/look.css`)).toBe(shared);
    },
  );

  it('examples/auto-refresh/app/globals.css starts with examples/look/look.css', () => {
    expect(read('auto-refresh/app/globals.css').startsWith(shared)).toBe(true);
  });
});
