// publint --strict and @arethetypeswrong/cli --pack over every public package (run after build).
import { execFileSync } from 'node:child_process';
import { publicPackages } from './packages.mjs';

let failed = 0;
for (const { dir, pkg } of publicPackages()) {
  for (const [tool, args] of [
    ['publint', ['publint', '--strict']],
    ['attw', ['attw', '--pack', '.', '--format', 'table-flipped', '--profile', 'node16']],
  ]) {
    try {
      execFileSync('npx', args, { cwd: dir, stdio: 'inherit' });
      console.log(`ok   ${pkg.name}: ${tool}`);
    } catch {
      failed++;
      console.error(`FAIL ${pkg.name}: ${tool}`);
    }
  }
}
if (failed) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}
