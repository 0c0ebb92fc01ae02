// `npm run docs`: the API reference (typedoc + typedoc-plugin-markdown into docs/api/), then the
// VitePress site from docs/ (into docs/.vitepress/dist/). Both outputs are git-ignored.
// typedoc fails on its own warnings (`treatWarningsAsErrors`) and VitePress on a dead link; this
// script also fails on any other warning either prints (a chunk over its size limit, a Vue
// template warning), so the docs build stays at zero warnings.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const WARNING = /\bwarn(ing)?\b|\(!\)|dead link/i;

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const warnings = [];
    const echo = (stream, out) =>
      stream.on('data', (chunk) => {
        out.write(chunk);
        for (const line of String(chunk).split('\n')) if (WARNING.test(line)) warnings.push(line);
      });
    echo(child.stdout, process.stdout);
    echo(child.stderr, process.stderr);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, warnings }));
  });
}

const started = performance.now();
rmSync(new URL('../docs/api', import.meta.url), { recursive: true, force: true });
let warnings = 0;
for (const [command, args] of [
  ['npx', ['typedoc']],
  ['npx', ['vitepress', 'build', 'docs']],
]) {
  const result = await run(command, args);
  warnings += result.warnings.length;
  if (result.code !== 0 || result.warnings.length > 0) {
    console.error(
      `\ndocs: \`${command} ${args.join(' ')}\` ${result.code !== 0 ? `exited with ${result.code}` : 'printed warnings'}:`,
    );
    for (const line of result.warnings) console.error(`  ${line.trim()}`);
    process.exit(1);
  }
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`docs: built docs/.vitepress/dist in ${seconds} s, ${warnings} warnings`);
