// Debian's Chromium through playwright-core, as every browser test launches it. launch()
// gives the browser a fresh temporary profile (user-data dir) and removes it on close.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// How long a page may take to show what a step waits for before the test fails. Not a speed
// target: a bound for a page that will never show it, generous for a loaded machine.
export const PAGE_WAIT_MS = 60000;

export const launchChromium = () => chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

// Runs in every document before its own scripts: keeps each securitypolicyviolation event.
const CSP_RECORDER = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
      ' at ' + e.sourceFile + ':' + e.lineNumber);
  });
`;

// Every page of the browser tests runs under the shim's Content-Security-Policy (issue 10,
// item 13), and a violation fails the test: call before the first goto. Returns a function
// resolving with the violations seen so far (securitypolicyviolation events of the current
// document, and Chromium's CSP console errors of every document).
export async function watchCsp(context, page) {
  const fromConsole = [];
  await context.addInitScript(CSP_RECORDER);
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) fromConsole.push(m.text());
  });
  return async () => [...fromConsole,
    ...await page.evaluate(() => window.__cspViolations ?? []).catch(() => [])];
}
