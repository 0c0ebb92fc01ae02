import { readFile, writeFile } from 'node:fs/promises';
import { packageConfig } from '../../scripts/tsup.base.ts';

/**
 * Put `'use client'` back on top of the built hooks entry: bundling (esbuild, then rollup's
 * tree-shaking) drops module directives and banners, but React Server Components need the entry
 * marked as client code. The source map gets one empty line in front to stay aligned.
 */
async function markClientEntry(): Promise<void> {
  for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/tabs.js', 'dist/tabs.cjs']) {
    const code = await readFile(file, 'utf8');
    if (code.startsWith("'use client';")) continue;
    await writeFile(file, `'use client';\n${code}`);
    const map = JSON.parse(await readFile(`${file}.map`, 'utf8'));
    map.mappings = `;${map.mappings}`;
    await writeFile(`${file}.map`, JSON.stringify(map));
  }
}

export default packageConfig(
  { index: 'src/index.ts', testing: 'src/testing.ts', tabs: 'src/tabs.ts' },
  { onSuccess: markClientEntry },
);
