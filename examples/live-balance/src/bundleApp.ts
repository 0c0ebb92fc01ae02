import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundle the page's code in memory when the server starts: no build step, no dev server. The
 * `@ssekit/source` condition makes `@ssekit/*` resolve to their TypeScript sources inside this
 * monorepo; outside it (installed from npm) drop it and the published `dist` files are used.
 */
export async function bundleApp(entry: URL): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    write: false,
    conditions: ['@ssekit/source'],
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    define: {
      'process.env.NODE_ENV': JSON.stringify(process.env.NODE_ENV ?? 'development'),
    },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The HTML shell: the shared look (`/look.css`), the page's own few rules, a root element and the bundled module. */
export function htmlPage(title: string, css: string): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/look.css">
<style>${css}</style>
<div id="root"></div>
<script type="module" src="/app.js"></script>
</html>`;
}
