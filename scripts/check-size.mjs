// Size budgets: bundle each public package's entry from src (the `@ssekit/source` condition, so
// no build is needed) with esbuild, minified ESM, gzip it, compare with bench/size-budgets.json.
// Over budget => exit 1. A package (or entry) that does not exist yet is skipped with a note.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = process.cwd();
const { packages } = JSON.parse(readFileSync(join(root, 'bench/size-budgets.json'), 'utf8'));

/** The `@ssekit/source` file behind an export subpath, or undefined. */
function sourceEntry(dir, pkg, subpath) {
  const target = pkg.exports?.[subpath];
  const source = typeof target === 'object' ? target['@ssekit/source'] : undefined;
  return source ? join(dir, source) : undefined;
}

const rows = [];
const notes = [];
let failed = false;
for (const budget of packages) {
  const dir = join(root, 'packages', budget.name);
  const label =
    budget.label ?? `@ssekit/${budget.name}${budget.entry === '.' ? '' : budget.entry.slice(1)}`;
  if (!existsSync(join(dir, 'package.json'))) {
    notes.push(`${label}: skipped, the package does not exist yet`);
    continue;
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entry = sourceEntry(dir, pkg, budget.entry);
  if (!entry || !existsSync(entry)) {
    notes.push(
      `${label}: skipped, no source entry yet (${entry ? relative(root, entry) : 'no @ssekit/source export'})`,
    );
    continue;
  }
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      mainFields: ['module', 'main'],
      conditions: ['@ssekit/source'],
      external: budget.external,
      write: false,
      logLevel: 'silent',
    });
  } catch (error) {
    failed = true;
    notes.push(`${label}: FAILED to bundle: ${error.message.split('\n').slice(0, 3).join(' ')}`);
    continue;
  }
  const code = result.outputFiles[0].contents;
  const gzip = gzipSync(code, { level: 9 }).length;
  const over = budget.limit != null && gzip > budget.limit;
  if (over) failed = true;
  rows.push([
    label,
    String(code.length),
    String(gzip),
    budget.limit == null ? '-' : String(budget.limit),
    budget.limit == null
      ? 'report only'
      : over
        ? `OVER by ${gzip - budget.limit} B`
        : `ok (${Math.round((gzip / budget.limit) * 100)}%)`,
    budget.external.length ? budget.external.join(', ') : '(none)',
  ]);
}

const headers = ['package', 'min B', 'min+gz B', 'budget B', 'status', 'external'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  `| ${cells.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
console.log(line(headers));
console.log(
  `|${widths.map((w, i) => (i === 0 || i >= 4 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
);
for (const row of rows) console.log(line(row));
for (const note of notes) console.log(`note: ${note}`);
if (failed) {
  console.error(
    'check:size failed: a package is over its budget or did not bundle (bench/size-budgets.json).',
  );
  process.exit(1);
}
