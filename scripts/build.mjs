// Build every public package with tsup, in dependency order (a package's .d.ts build reads the
// built types of the packages it depends on).
import { execFileSync } from 'node:child_process';
import { publicPackages } from './packages.mjs';

const started = performance.now();
for (const { dir, pkg } of publicPackages()) {
  const t = performance.now();
  execFileSync('npx', ['tsup', '--silent'], { cwd: dir, stdio: 'inherit' });
  console.log(`built ${pkg.name} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
console.log(`build done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
