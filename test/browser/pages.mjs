// What the browser tests share: a fresh page that fails its test on a console error, a page
// error or a CSP violation, and records every request it makes (so a test can assert that
// none left our own origin); set-up calls through the API that must succeed.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, api } from '../lib/harness.mjs';
import { watchCsp, PAGE_WAIT_MS } from './chromium.mjs';

export const SHOTS = path.join(ROOT, 'test/browser/screenshots');
mkdirSync(SHOTS, { recursive: true });

export const shot = (page, name, opts = {}) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, ...opts });

// A fresh context (own sessionStorage). `allow` lists console errors a scenario provokes on
// purpose (an API 4xx shows up as "Failed to load resource"); `colorScheme` 'dark' emulates
// prefers-color-scheme. page.requests holds the URL of every request, page.assertClean() checks
// errors and CSP violations so far.
export async function openPage(browser, t, { width = 1280, height = 900, allow = [], colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  const violations = await watchCsp(context, page);
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.requests = [];
  page.on('request', (r) => page.requests.push(r.url()));
  page.setDefaultTimeout(PAGE_WAIT_MS);
  page.setDefaultNavigationTimeout(PAGE_WAIT_MS);
  const unexpected = () => errors.filter((text) => !allow.some((re) => re.test(text)));
  t.after(async () => {
    if (unexpected().length) t.diagnostic(`browser errors: ${unexpected().join(' | ')}`);
    await page.screenshot({ path: path.join(SHOTS, `last-${t.name.slice(0, 30).replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    await context.close();
  });
  page.assertClean = async () => {
    assert.deepEqual(unexpected(), [], 'console or page errors');
    assert.deepEqual(await violations(), [], 'Content-Security-Policy violations');
  };
  return page;
}

// Every request the page made went to `base` (the shim): no image, font or script from
// elsewhere. data: URLs never leave the page, so they count as ours.
export function assertOwnOrigin(page, base) {
  const origin = new URL(base).origin;
  const foreign = page.requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
  assert.deepEqual(foreign, [], 'requests to another origin');
  assert.ok(page.requests.length > 0, 'the page made requests at all');
}

export async function signIn(page, base, username, password) {
  await page.goto(`${base}/signin`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Attached, not visible: on a phone the header may keep the name in a closed menu.
  await page.getByTestId('username').filter({ hasText: username }).waitFor({ state: 'attached' });
}

// A set-up call through the API that must succeed (2xx): its body.
export async function apiOk(base, method, urlPath, body, token) {
  const res = await api(base, method, urlPath, { token, body });
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${urlPath}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
