import { type Browser, chromium } from 'playwright-core';

/**
 * The flags Debian's chromium needs here: no sandbox (tests run as root), no GPU, and no
 * background networking — on a closed network those connections are refused by the dozen.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch headless chromium from `executablePath` (what `findService('chromium')` returned). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
