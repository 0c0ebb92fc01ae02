// publint --strict and @arethetypeswrong/cli --pack over every public package, in every
// resolution mode (node10, node16 from CJS and ESM, bundler), then a consumer that type-checks
// every entry of the packed packages in each of those modes (run after build).
import { execFileSync } from 'node:child_process';
import { checkConsumerTypes } from './check-consumer-types.mjs';
import { publicPackages } from './packages.mjs';

let failed = 0;
for (const { dir, pkg } of publicPackages()) {
  for (const [tool, args] of [
    ['publint', ['publint', '--strict']],
    ['attw', ['attw', '--pack', '.', '--format', 'table-flipped']],
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
failed += checkConsumerTypes();
if (failed) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}
