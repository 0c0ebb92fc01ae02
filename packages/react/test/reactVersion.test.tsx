import { version } from 'react';
import { version as domVersion } from 'react-dom';
import { expect, test } from 'vitest';

// packages/react18-tests runs this directory again with SSEKIT_REACT_MAJOR=18 and React 18.
const expected = process.env.SSEKIT_REACT_MAJOR ?? '19';

test(`runs on React ${expected}`, () => {
  expect(version.split('.')[0]).toBe(expected);
  expect(domVersion.split('.')[0]).toBe(expected);
});
