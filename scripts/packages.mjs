// The public packages in dependency order: a package is built after everything it imports.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ORDER = ['core', 'server', 'client', 'react', 'redis'];

/** Public @ssekit packages that exist in this checkout, in build order. */
export function publicPackages(root = process.cwd()) {
  return ORDER.map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private);
}
