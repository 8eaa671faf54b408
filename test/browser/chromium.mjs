// Debian's Chromium through playwright-core, as every browser test launches it. launch()
// gives the browser a fresh temporary profile (user-data dir) and removes it on close.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// How long a page may take to show what a step waits for before the test fails. Not a speed
// target: a bound for a page that will never show it, generous for a loaded machine.
export const PAGE_WAIT_MS = 60000;

export const launchChromium = () => chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
