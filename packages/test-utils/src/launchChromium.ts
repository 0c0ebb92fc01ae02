import type { Browser } from 'playwright-core';

/**
 * The flags Debian's chromium needs here: no sandbox (tests run as root), no GPU, and no
 * background networking — on a closed network those connections are refused by the dozen.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch headless chromium from `executablePath` (what `findService('chromium')` returned). */
export async function launchChromium(executablePath: string): Promise<Browser> {
  // Loaded here, not at the top: playwright-core takes half a second to import, and most test
  // files import @ssekit/test-utils for its servers and readers, not for a browser.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
