// Pack every public @ssekit package into one folder and print the one `npm install` line that
// installs them all: `npm run pack:all -- <dir>` (default `ssekit-packs`, relative to where npm
// was run). Installing some of the tarballs alone fails (`E404 @ssekit/core@0.0.0`: npm looks for
// an unreleased dependency on the registry), so the line names every one; npm then takes each
// @ssekit dependency from its tarball and the rest (zod, react, …) from the registry.
// Builds first; `--no-build` packs the dist/ folders as they are.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { publicPackages } from './packages.mjs';

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const [target = 'ssekit-packs'] = args.filter((arg) => arg !== '--no-build');
// `npm run` starts scripts in the repository's root; a relative folder means the caller's.
const dir = resolve(process.env.INIT_CWD ?? process.cwd(), target);

if (build) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
mkdirSync(dir, { recursive: true });
const tarballs = [];
for (const { dir: packageDir, pkg } of publicPackages()) {
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  const tarball = join(dir, JSON.parse(packed)[0].filename);
  console.error(`packed ${pkg.name} → ${tarball}`);
  tarballs.push(tarball);
}
console.error('\nInstall them all, in one command, in your app:');
console.log(`npm install ${tarballs.join(' ')}`);
