import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DefaultTheme, defineConfig, type MarkdownRenderer } from 'vitepress';

// The site is built from the repository root so the package and example READMEs are pages too
// and every relative link between them works as it does on GitHub; `rewrites` put the guides of
// `docs/` at the top of the site. `npm run docs` builds the API reference into `docs/api/` first.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = ['core', 'server', 'client', 'react', 'redis'];
const EXAMPLES = ['notifications', 'sync-progress', 'live-logs', 'auto-refresh', 'live-balance'];

/** The site page of a Markdown file of the repository (`docs/client.md` → `client.md`), if any. */
function pageOf(file: string): string | undefined {
  if (file === 'docs/README.md') return undefined; // GitHub's index of docs/; the site has its own
  if (/^docs\/.+\.md$/.test(file)) return file.slice('docs/'.length);
  const pkg = /^packages\/([^/]+)\/README\.md$/.exec(file);
  if (pkg && PACKAGES.includes(pkg[1]!)) return `packages/${pkg[1]}/index.md`;
  if (file === 'examples/README.md') return 'examples/index.md';
  const example = /^examples\/([^/]+)\/README\.md$/.exec(file);
  if (example && EXAMPLES.includes(example[1]!)) return `examples/${example[1]}/index.md`;
  return undefined;
}

/**
 * Links between the repository's Markdown files are written for GitHub, relative to the file
 * (`../packages/redis/README.md`, `../examples/sync-progress`). On the site each becomes the
 * absolute path of its page; a link to a file that exists but is no page (a source file, a folder
 * without a README) keeps its text and loses the link. A link to nothing is left alone, so the
 * build still fails on it as a dead link.
 */
function repositoryLinks(md: MarkdownRenderer): void {
  md.core.ruler.push('ssekit-repository-links', (state) => {
    const from: string | undefined = state.env.realPath ?? state.env.path;
    if (!from) return;
    for (const block of state.tokens) {
      for (const token of block.children ?? []) {
        if (token.type !== 'link_open') continue;
        const href = token.attrGet('href');
        if (!href || /^([a-z][a-z\d+.-]*:|#|\/)/i.test(href)) continue;
        const [path = '', hash = ''] = href.split(/(?=#)/);
        let target = relative(ROOT, resolve(dirname(from), decodeURI(path)));
        if (existsSync(join(ROOT, target)) && statSync(join(ROOT, target)).isDirectory()) {
          target = join(target, 'README.md');
        }
        const page = pageOf(target);
        if (page) {
          token.attrSet('href', `/${page}${hash}`);
          continue;
        }
        // A target that does not exist stays as written: VitePress reports it as a dead link.
        if (!existsSync(join(ROOT, target))) continue;
        // Not a page: drop the link (its closing token is the next link_close at this level).
        const children = block.children!;
        const open = children.indexOf(token);
        const close = children.findIndex((t, i) => i > open && t.type === 'link_close');
        for (const t of [children[open]!, children[close]!]) {
          t.type = 'text';
          t.tag = '';
          t.nesting = 0;
          t.attrs = null;
          t.content = '';
        }
      }
    }
  });
}

const apiSidebarFile = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url));
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile)
  ? JSON.parse(readFileSync(apiSidebarFile, 'utf8'))
  : [];

const guides: DefaultTheme.SidebarItem[] = [
  { text: 'Getting started', link: '/getting-started' },
  { text: 'Event schema and validation', link: '/schema' },
  { text: 'Streams and hubs', link: '/streams-and-hubs' },
  { text: 'Targeting', link: '/targeting' },
  { text: 'Replay and resets', link: '/replay' },
  { text: 'Client', link: '/client' },
  { text: 'React', link: '/react' },
  { text: 'Jobs: streams that end', link: '/jobs' },
  { text: 'Scaling out with Redis', link: '/redis' },
  { text: 'Deployment', link: '/deployment' },
  { text: 'Security', link: '/security' },
  { text: 'Troubleshooting', link: '/troubleshooting' },
  { text: 'Migrating', link: '/migrating' },
  { text: 'Wire format', link: '/wire-format' },
];

const packages: DefaultTheme.SidebarItem[] = PACKAGES.map((name) => ({
  text: `@ssekit/${name}`,
  link: `/packages/${name}/`,
}));

const examples: DefaultTheme.SidebarItem[] = [
  { text: 'All examples', link: '/examples/' },
  ...EXAMPLES.map((name) => ({ text: name, link: `/examples/${name}/` })),
];

export default defineConfig({
  title: 'ssekit',
  description: 'Typed Server-Sent Events for TypeScript: hub, reconnecting client, React hooks.',
  srcDir: '..',
  srcExclude: [
    '**/node_modules/**',
    '**/dist/**',
    '**/CHANGELOG.md',
    '.changeset/**',
    '.ci/**',
    'bench/**',
    'scripts/**',
    'README.md',
    'CONTRIBUTING.md',
    'docs/README.md',
    'packages/test-utils/**',
    'packages/tests/**',
    'packages/react18-tests/**',
    'examples/look/**',
  ],
  rewrites: {
    'docs/:path(.*)': ':path',
    'packages/:name/README.md': 'packages/:name/index.md',
    'examples/README.md': 'examples/index.md',
    'examples/:name/README.md': 'examples/:name/index.md',
  },
  cleanUrls: true,
  markdown: {
    config: repositoryLinks,
    // GitHub's heading anchors (`#nextjs-app-router`), so a link works on GitHub and here alike.
    anchor: {
      slugify: (heading: string) =>
        heading
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s_-]/gu, '')
          .replace(/\s/g, '-'),
    },
  },
  vite: {
    // The one chunk over Vite's 500 kB default is the local search index (every guide and API
    // page), loaded only when the search box opens.
    build: { chunkSizeWarningLimit: 2000 },
  },
  lastUpdated: false,
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/getting-started' },
      { text: 'Packages', link: '/packages/core/' },
      { text: 'Examples', link: '/examples/' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar }],
      '/': [
        { text: 'Guide', items: guides },
        { text: 'Packages', items: packages },
        { text: 'Examples', collapsed: true, items: examples },
        { text: 'API reference', link: '/api/' },
      ],
    },
    outline: { level: [2, 3] },
    search: { provider: 'local' },
  },
});
