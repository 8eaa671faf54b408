// Tickets in a real Chromium: the buyer's history (purchase date, status, refund, cancel),
// the printable tickets whose QR codes a real decoder (zbarimg, Debian's zbar-tools) reads
// back, the door's check-in screen fed with the decoded code, past events listed apart, and
// issue 10 item 9: an admin edit during sales is refused (If-Match) instead of overselling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium, PAGE_WAIT_MS } from './chromium.mjs';
import { apiOk } from './pages.mjs';
import { ROOT, freshDatabase, startShim, api, login, psql } from '../lib/harness.mjs';
import { watchCsp } from './chromium.mjs';

const SHOTS = path.join(ROOT, 'test/browser/screenshots');
const DB = 'tm_browser_tickets';

let shim;
let base;
let browser;
let adminToken;
let aliceToken;
const ids = {};
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tm-qr-'));

const ok = (method, urlPath, body, token = adminToken) => apiOk(base, method, urlPath, body, token);

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  freshDatabase(DB);
  psql(DB, "SET ticketmonster.password_cost = 1; SELECT tm_create_staff('door', 'door-password')");
  shim = await startShim(DB);
  base = shim.base;
  adminToken = await login(base, 'admin', 'admin-password');
  await ok('POST', '/account', { username: 'alice', password: 'alice-password' }, null);
  aliceToken = await login(base, 'alice', 'alice-password');
  const events = [
    ['fest', { name: 'Harbour Fest', place: 'Docks', city: 'Bilbao', date: '2099-07-01', time: '21:30', price: 20, capacity: 100 }],
    ['other', { name: 'Other Gig', place: 'Club', city: 'Bilbao', date: '2099-08-01', price: 10, capacity: 50 }],
    ['busy', { name: 'Busy Gig', place: 'Razzmatazz', city: 'Barcelona', date: '2099-09-01', price: 10, capacity: 10 }],
    ['old', { name: 'Old Times', place: 'Hall', city: 'Porto', date: '2020-01-01', price: 5, capacity: 10 }],
  ];
  for (const [key, e] of events) ids[key] = (await ok('POST', '/event', e)).event.id;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shim?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function openPage(t) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // Under the shim's Content-Security-Policy: a violation fails the test (chromium.mjs).
  const cspViolations = await watchCsp(context, page);
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(base)) errors.push(`request left the origin: ${r.url()}`); });
  page.setDefaultTimeout(PAGE_WAIT_MS);
  page.setDefaultNavigationTimeout(PAGE_WAIT_MS);
  t.after(async () => {
    assert.deepEqual(await cspViolations(), [], 'Content-Security-Policy violations');
    await page.screenshot({ path: path.join(SHOTS, `last-tickets-${t.name.slice(0, 30).replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    await context.close();
  });
  page.assertNoErrors = async () => {
    assert.deepEqual(errors, [], 'console or page errors, or requests elsewhere');
    assert.deepEqual(await cspViolations(), [], 'Content-Security-Policy violations');
  };
  return page;
}

async function signIn(page, username, password) {
  await page.goto(`${base}/signin`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('username').filter({ hasText: username }).waitFor();
}

// The QR code as the page draws it, photographed and decoded by zbarimg.
async function decodeQr(locator, name) {
  const file = path.join(tmp, `${name}.png`);
  await locator.screenshot({ path: file });
  return execFileSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], { encoding: 'utf8' }).trim();
}

test('the buyer sees purchase date and status, prints tickets whose QR codes decode, and the door checks them in once', async (t) => {
  const bought = await ok('POST', '/orders/alice', { event_id: ids.fest, tickets_bought: 2 }, aliceToken);
  const order = bought.order;
  const page = await openPage(t);
  await signIn(page, 'alice', 'alice-password');

  await page.getByRole('link', { name: 'My orders' }).click();
  const row = page.locator(`tr[data-order-id="${order.id}"]`);
  await row.waitFor();
  assert.match(await row.getByTestId('order-status').innerText(), /Confirmed/);
  assert.equal(await row.locator('time').getAttribute('datetime'), order.created_at);

  await row.getByRole('link', { name: 'Tickets' }).click();
  await page.getByRole('heading', { name: 'Tickets: Harbour Fest' }).waitFor();
  const tickets = page.getByTestId('ticket');
  assert.equal(await tickets.count(), 2);
  await page.screenshot({ path: path.join(SHOTS, 'tickets-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.site-header').isVisible(), false, 'the printed page has no header');
  await page.emulateMedia({ media: 'screen' });

  const decoded = [];
  for (let i = 0; i < 2; i++) {
    const shown = await tickets.nth(i).getByTestId('ticket-code').innerText();
    const read = await decodeQr(tickets.nth(i).locator('svg.qr'), `ticket-${i}`);
    assert.equal(read, shown, 'the QR code carries the code printed beside it');
    decoded.push(read);
  }
  assert.deepEqual(decoded.sort(), order.tickets.map((x) => x.code).sort());
  await page.assertNoErrors();

  // The door, with the code the scanner read.
  const door = await openPage(t);
  await signIn(door, 'door', 'door-password');
  await door.getByRole('link', { name: 'Check-in' }).click();
  const code = door.getByTestId('checkin-code');
  const verdict = door.getByTestId('verdict');
  await code.fill(decoded[0]);
  await door.getByRole('button', { name: 'Check in' }).click();
  await verdict.and(door.locator('[data-verdict="valid"]')).waitFor();
  assert.match(await verdict.innerText(), /Valid/);
  await door.screenshot({ path: path.join(SHOTS, 'door-valid.png') });

  await code.fill(decoded[0]);
  await door.getByRole('button', { name: 'Check in' }).click();
  await door.locator('[data-verdict="used"]').waitFor();
  const first = (await ok('GET', '/orders/alice')).orders.find((o) => o.id === order.id)
    .tickets.find((x) => x.code === decoded[0]).checked_in_at;
  const hhmm = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(first));
  assert.match(await verdict.innerText(), new RegExp(`Already used at ${hhmm}`));
  await door.screenshot({ path: path.join(SHOTS, 'door-used.png') });

  // At the door of another event; and a code nobody has.
  await door.getByTestId('checkin-event').selectOption(String(ids.other));
  await code.fill(decoded[1]);
  await door.getByRole('button', { name: 'Check in' }).click();
  await door.locator('[data-verdict="wrong"]').waitFor();
  await door.getByTestId('checkin-event').selectOption('');
  await code.fill('not-a-real-code');
  await door.getByRole('button', { name: 'Check in' }).click();
  await door.locator('[data-verdict="invalid"]').waitFor();
  assert.match(await verdict.innerText(), /Not valid/);
  await door.assertNoErrors();
});

test('the buyer cancels an order from the history: refunded, marked, its ticket no longer valid', async (t) => {
  const { order } = await ok('POST', '/orders/alice', { event_id: ids.other, tickets_bought: 3 }, aliceToken);
  const page = await openPage(t);
  await signIn(page, 'alice', 'alice-password');
  const before = (await ok('GET', '/account/alice', undefined, aliceToken)).account.available_money;
  await page.goto(`${base}/my-orders`);
  const row = page.locator(`tr[data-order-id="${order.id}"]`);
  await row.getByRole('button', { name: `Cancel order ${order.id}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel order' }).click();
  await page.locator(`tr[data-order-id="${order.id}"][data-status="cancelled"]`).waitFor();
  assert.match(await page.locator(`tr[data-order-id="${order.id}"]`).getByTestId('order-status').innerText(), /Cancelled.*€30 back/);
  await page.getByTestId('money').filter({ hasText: `€${before + 30}` }).waitFor();
  assert.equal(await page.locator(`tr[data-order-id="${order.id}"]`).getByRole('button', { name: /Cancel order/ }).count(), 0);
  await page.screenshot({ path: path.join(SHOTS, 'orders-history.png'), fullPage: true });

  const scan = await api(base, 'POST', '/checkin', { token: adminToken, body: { code: order.tickets[0].code } });
  assert.equal(scan.body.code, 'ticket_not_valid');
  await page.assertNoErrors();
});

test('past events are listed apart and cannot be bought', async (t) => {
  const page = await openPage(t);
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Upcoming events' }).waitFor();
  assert.equal(await page.locator('article.event-card', { hasText: 'Old Times' }).count(), 0);
  const past = page.getByTestId('past-events');
  await past.getByRole('link', { name: 'Old Times' }).waitFor();
  await past.getByRole('link', { name: 'Old Times' }).click();
  await page.getByRole('button', { name: 'Event over' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Event over' }).isDisabled(), true);
  await page.assertNoErrors();
});

test('issue 10 item 9: an admin edit made while tickets sell is refused, then redone on the fresh event', async (t) => {
  const page = await openPage(t);
  await signIn(page, 'admin', 'admin-password');
  // The admin opens the edit form: 10 left.
  await page.goto(`${base}/admin/events/${ids.busy}`);
  const form = page.getByRole('form', { name: 'Event details' });
  await form.getByLabel('Total tickets').waitFor();
  assert.equal(await form.getByLabel('Total tickets').inputValue(), '10');

  // A buyer takes 3 meanwhile.
  await ok('POST', '/orders/alice', { event_id: ids.busy, tickets_bought: 3 }, aliceToken);

  // The admin saves with only the place changed: refused, nothing changed, no oversell.
  await form.getByLabel('Place').fill('Sala Apolo');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#notices').filter({ hasText: 'changed while you were editing' }).waitFor();
  let e = (await ok('GET', `/event/${ids.busy}`)).event;
  assert.deepEqual([e.place, e.capacity, e.total_available_tickets], ['Razzmatazz', 10, 7]);
  await page.screenshot({ path: path.join(SHOTS, 'admin-edit-stale.png'), fullPage: true });

  // The form now shows the event as it is; the edit redone saves, and the 3 stay sold.
  await form.getByTestId('event-stock').filter({ hasText: /Capacity\s*10\s*Sold\s*3\s*Left\s*7/ }).waitFor();
  await form.getByLabel('Place').fill('Sala Apolo');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#notices').filter({ hasText: 'Saved “Busy Gig”' }).waitFor();
  e = (await ok('GET', `/event/${ids.busy}`)).event;
  assert.deepEqual([e.place, e.capacity, e.total_available_tickets], ['Sala Apolo', 10, 7]);
  await page.assertNoErrors();
});

test('static/vendor/uqr.mjs is the QR encoder of the npm package pinned in test/package.json', () => {
  const pinned = JSON.parse(readFileSync(path.join(ROOT, 'test/package.json'), 'utf8')).devDependencies.uqr;
  const installed = JSON.parse(readFileSync(path.join(ROOT, 'test/node_modules/uqr/package.json'), 'utf8')).version;
  assert.equal(installed, pinned);
  // Refresh: cp test/node_modules/uqr/dist/index.mjs static/vendor/uqr.mjs (and its LICENSE).
  assert.ok(readFileSync(path.join(ROOT, 'static/vendor/uqr.mjs')).equals(
    readFileSync(path.join(ROOT, 'test/node_modules/uqr/dist/index.mjs'))), 'the vendored copy differs from the package');
});
