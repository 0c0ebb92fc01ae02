// @vitest-environment node
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

/** The budget: @ssekit/react itself, with React and the client excluded. */
const BUDGET = 2048;

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
