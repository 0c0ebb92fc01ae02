// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

/** @ssekit/react itself, with React and the client excluded: the budget of bench/size-budgets.json. */
const BUDGET: number = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../bench/size-budgets.json', import.meta.url)), 'utf8'),
).packages.find(
  (p: { name: string; entry: string }) => p.name === 'react' && p.entry === '.',
).limit;

test(`the hooks entry stays under ${BUDGET} bytes min+gz`, async () => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    external: ['react', '@ssekit/client', '@ssekit/core'],
    logLevel: 'silent',
  });
  const size = gzipSync(result.outputFiles[0]!.contents, { level: 9 }).byteLength;
  console.log(`@ssekit/react: ${size} bytes min+gz`);
  expect(size).toBeLessThanOrEqual(BUDGET);
});
