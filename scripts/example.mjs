// `npm run example -- <name>`: run examples/<name>'s `dev` script, which prints its URL. Builds
// the packages first when a dist/ is missing (Next.js resolves them to dist/, like any app).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const names = readdirSync('examples', { withFileTypes: true })
  .filter((entry) => existsSync(`examples/${entry.name}/package.json`))
  .map((entry) => entry.name);
const name = process.argv[2];
if (!names.includes(name)) {
  console.error(`Usage: npm run example -- <${names.join(' | ')}>`);
  process.exit(1);
}
const run = (args, cwd = '.') => spawnSync('npm', args, { cwd, stdio: 'inherit' }).status ?? 1;
const built = ['core', 'server', 'client', 'react'].every((p) => existsSync(`packages/${p}/dist`));
if (!built && run(['run', 'build']) !== 0) process.exit(1);
process.exit(run(['run', 'dev'], `examples/${name}`));
