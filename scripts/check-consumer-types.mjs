// Type-check a consumer of the BUILT packages under every `moduleResolution` a user may have:
// node10 (`"node"`, which Next.js 15 writes into the tsconfig it creates), node16 from CommonJS
// and from ESM, and bundler. attw reads the package metadata; this runs the real `tsc` on real
// imports, so a subpath whose types do not resolve, or resolve to `any`, fails here.
//
// The consumer's node_modules holds our packages exactly as `npm pack` ships them, and links to
// everything else in the repository's node_modules (TypeScript, @types/express, react, …).
// Run after `npm run build`; `npm run check:packages` runs it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publicPackages } from './packages.mjs';

/** The resolution modes checked: tsconfig compiler options and the consumer files each reads. */
const MODES = {
  'node10 (Next.js 15 tsconfig)': {
    options: { module: 'esnext', moduleResolution: 'node' },
    files: ['consumer.ts'],
  },
  'node16 from CJS and ESM': {
    options: { module: 'node16', moduleResolution: 'node16' },
    files: ['consumer.cts', 'consumer.mts'],
  },
  bundler: {
    options: { module: 'esnext', moduleResolution: 'bundler' },
    files: ['consumer.ts'],
  },
};

/**
 * Uses that prove the types are real across package boundaries: each `@ts-expect-error` fails
 * the check if the line type-checks, as it would if a type had silently become `any`.
 */
const USAGE = `
import { defineEvents, type } from '@ssekit/core';
import { createHub } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { createExpressHandler } from '@ssekit/server/express';
import { createFetchHandler } from '@ssekit/server/fetch';
import { connect } from '@ssekit/client';
import { sseHandler } from '@ssekit/client/msw';
import { createServerEventsHooks } from '@ssekit/react';
import { createRedisBroker } from '@ssekit/redis';
import { createClient } from '@redis/client';
import { createTestStream } from '@ssekit/react/testing';

declare global {
  namespace Express {
    interface Request {
      user: { id: string };
    }
  }
}

const events = defineEvents({ ping: type<{ n: number }>() });
const hub = createHub({ events });
void hub.publish('ping', { n: 1 });
// @ts-expect-error the payload is typed from the schema
void hub.publish('ping', { n: 'one' });

createHub({ events, broker: createRedisBroker({ url: 'redis://localhost:6379', stream: 'app' }) });
createHub({ events, broker: createRedisBroker({ client: createClient() }) });
// @ts-expect-error maxLen is a number of events or false
createRedisBroker({ url: 'redis://localhost:6379', maxLen: '10' });

createNodeHandler({ hub, authenticate: (req, { res }) => ({ userId: req.url ?? String(res.statusCode) }) });
createExpressHandler({
  hub,
  authenticate: (req, { res }) => ({ userId: \`\${req.user.id}@\${String(res.locals.tenant)}\` }),
});
// @ts-expect-error req is Express's Request, not any
createExpressHandler({ hub, authenticate: (req) => ({ userId: req.notAField }) });
createFetchHandler({ hub, authenticate: (request) => ({ userId: request.headers.get('x-user') ?? undefined }) });

connect('/events', { events }).on('ping', (data) => data.n.toFixed());
// @ts-expect-error data is typed from the schema
connect('/events', { events }).on('ping', (data) => data.n.toUpperCase());
sseHandler(events, '/events', ({ client }) => {
  client.send('ping', { n: 1 });
  // @ts-expect-error the mock stream is typed from the schema
  client.send('ping', { n: '1' });
});
createServerEventsHooks(events, { url: '/events' });
void createTestStream(events).push('ping', { n: 1 });
// @ts-expect-error the test stream is typed from the schema
void createTestStream(events).push('ping', { n: '1' });
`;

/** A consumer importing every subpath of every public package, and checking none is `any`. */
function consumerSource(specifiers) {
  const lines = ['type IsAny<T> = 0 extends 1 & T ? true : false;'];
  specifiers.forEach((specifier, i) => {
    lines.push(`import * as entry${i} from '${specifier}';`);
    lines.push(`export const typed${i}: IsAny<typeof entry${i}> = false;`);
  });
  return `${lines.join('\n')}\n${USAGE}`;
}

/** The error lines of `tsc -p tsconfig` (none when it passes). */
function typeErrors(tsc, tsconfig, cwd) {
  try {
    execFileSync(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], {
      cwd,
      encoding: 'utf8',
    });
    return [];
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    return output === '' ? [String(error)] : output.split('\n');
  }
}

/** An error in the consumer or in one of our packages' files (not a third-party `.d.ts`). */
function isOurs(line) {
  const file = /^(.+?)\(\d+,\d+\): /.exec(line)?.[1];
  if (file === undefined) return !line.startsWith(' '); // a continuation line goes with its error
  return !file.includes('node_modules/') || file.includes('node_modules/@ssekit/');
}

/**
 * Pack every public package into a temporary consumer and run `tsc` there once per mode.
 * @returns the number of failed modes.
 */
export function checkConsumerTypes(root = process.cwd()) {
  const dir = mkdtempSync(join(tmpdir(), 'ssekit-consumer-'));
  let failed = 0;
  try {
    const modules = join(dir, 'node_modules');
    mkdirSync(join(modules, '@ssekit'), { recursive: true });
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (name !== '@ssekit' && !name.startsWith('.')) {
        symlinkSync(join(root, 'node_modules', name), join(modules, name));
      }
    }
    const specifiers = [];
    for (const { dir: packageDir, pkg } of publicPackages(root)) {
      const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
        cwd: packageDir,
        encoding: 'utf8',
      });
      const target = join(modules, pkg.name);
      mkdirSync(target);
      const tarball = join(dir, JSON.parse(packed)[0].filename);
      execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
      for (const subpath of Object.keys(pkg.exports)) {
        if (subpath !== './package.json') specifiers.push(pkg.name + subpath.slice(1));
      }
    }
    writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    const source = consumerSource(specifiers);
    for (const file of ['consumer.ts', 'consumer.cts', 'consumer.mts']) {
      writeFileSync(join(dir, file), source);
    }
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const [mode, { options, files }] of Object.entries(MODES)) {
      const config = {
        compilerOptions: {
          ...options,
          target: 'es2022',
          lib: ['es2022', 'dom'],
          types: ['node'],
          strict: true,
          // Our .d.ts files are checked too: an import they cannot resolve is an error.
          skipLibCheck: false,
          noEmit: true,
        },
        files,
      };
      const tsconfig = join(dir, 'tsconfig.json');
      writeFileSync(tsconfig, JSON.stringify(config, null, 2));
      const errors = typeErrors(tsc, tsconfig, dir);
      // Other libraries' .d.ts files are not ours to fix (msw's own types, for one, do not
      // compile from CommonJS under node16): shown, not counted. Ours and the consumer's count.
      const ours = errors.filter((line) => isOurs(line));
      for (const line of errors)
        console.error(`${ours.includes(line) ? '' : '(third-party) '}${line}`);
      if (ours.length === 0) {
        console.log(`ok   consumer types: ${mode} (${specifiers.length} entries)`);
      } else {
        failed++;
        console.error(`FAIL consumer types: ${mode}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return failed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (checkConsumerTypes() > 0) process.exit(1);
}
