import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import type { Disposables } from './disposables';

/** Debian's Chromium; `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Debian Chromium with a fresh profile at 1280×800, closed (and its profile removed) on
 * dispose. Each page has its own sessionStorage, so pages sign in independently.
 */
export async function launchChromium(disposables: Disposables): Promise<BrowserContext> {
  const profile = disposables.add(await mkdtemp(path.join(os.tmpdir(), 'xray-chromium-')), (dir) =>
    rm(dir, { recursive: true, force: true }),
  );
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  disposables.add(context, (opened) => opened.close());
  return context;
}
