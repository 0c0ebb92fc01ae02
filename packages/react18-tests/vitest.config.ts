import { fileURLToPath } from 'node:url';
import { packageProject } from '../../vitest.shared.ts';

/**
 * Runs `@ssekit/react`'s own tests (packages/react/test) a second time, on React 18: `react` and
 * `react-dom` (and their subpaths) resolve to this package's copies, and Testing Library is
 * inlined so its imports are aliased too. The root keeps React 19 for the main run.
 */
const own = (name: string) => fileURLToPath(new URL(`./node_modules/${name}`, import.meta.url));
const base = packageProject('react18', {
  environment: 'happy-dom',
  dir: fileURLToPath(new URL('../react', import.meta.url)),
  env: { SSEKIT_REACT_MAJOR: '18' },
  server: { deps: { inline: [/@testing-library\/react/] } },
});

export default {
  ...base,
  resolve: {
    ...base.resolve,
    alias: [
      // The ESM build, so its `import 'react-dom'` goes through these aliases (the CJS build's
      // `require` would reach the root's React 19).
      {
        find: /^@testing-library\/react$/,
        replacement: fileURLToPath(
          new URL(
            '../../node_modules/@testing-library/react/dist/@testing-library/react.esm.js',
            import.meta.url,
          ),
        ),
      },
      { find: /^react$/, replacement: own('react/index.js') },
      { find: /^react\/(.*)$/, replacement: `${own('react')}/$1.js` },
      { find: /^react-dom$/, replacement: own('react-dom/index.js') },
      { find: /^react-dom\/(.*)$/, replacement: `${own('react-dom')}/$1.js` },
    ],
  },
};
