// The admin's sales dashboard in Chromium, checked against figures this test computes
// itself from the orders it makes through the API: totals, the per-event table, the
// per-day chart (all events and one), and the CSV download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium, PAGE_WAIT_MS } from './chromium.mjs';
import { apiOk } from './pages.mjs';
import { ROOT, freshDatabase, startShim, login } from '../lib/harness.mjs';

const SHOTS = path.join(ROOT, 'test/browser/screenshots');

let shim;
let browser;
let admin;
const events = {};
const expected = {};

const ok = (method, urlPath, body, token = admin) => apiOk(shim.base, method, urlPath, body, token);

// Two events, three buyers; one order cancelled, one ticket checked in. The expected
// figures come from the orders as the API lists them, not from the numbers typed here.
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  freshDatabase('tm_browser_sales');
  shim = await startShim('tm_browser_sales');
  admin = await login(shim.base, 'admin', 'admin-password');
  events.rock = (await ok('POST', '/event', { name: 'Rock Night', place: 'Apolo', city: 'Barcelona', date: '2030-03-14', price: 40, total_available_tickets: 100 })).event;
  events.jazz = (await ok('POST', '/event', { name: 'Jazz Brunch', place: 'Jamboree', city: 'Barcelona', date: '2030-04-02', price: 15, total_available_tickets: 20 })).event;
  const buyers = [];
  for (const name of ['sales_ann', 'sales_ben', 'sales_cat']) {
    await ok('POST', '/account', { username: name, password: `${name}-password` }, null);
    buyers.push({ name, token: await login(shim.base, name, `${name}-password`) });
  }
  await ok('POST', `/orders/${buyers[0].name}`, { orders: [{ event_id: events.rock.id, tickets_bought: 2 }, { event_id: events.jazz.id, tickets_bought: 3 }] }, buyers[0].token);
  const cancelled = (await ok('POST', `/orders/${buyers[1].name}`, { event_id: events.rock.id, tickets_bought: 1 }, buyers[1].token)).order;
  await ok('POST', `/orders/${buyers[2].name}`, { event_id: events.jazz.id, tickets_bought: 1 }, buyers[2].token);
  await ok('POST', `/orders/${buyers[1].name}/${cancelled.id}/cancel`, undefined, buyers[1].token);
  const ann = (await ok('GET', `/orders/${buyers[0].name}`, undefined, buyers[0].token)).orders;
  await ok('POST', '/checkin', { code: ann.find((o) => o.event_id === events.rock.id).tickets[0].code });

  const orders = (await ok('GET', '/orders')).orders;
  for (const e of Object.values(events)) {
    const mine = orders.filter((o) => o.event_id === e.id);
    const live = mine.filter((o) => o.status === 'confirmed');
    const gone = mine.filter((o) => o.status !== 'confirmed');
    const sum = (list, f) => list.reduce((n, o) => n + f(o), 0);
    expected[e.id] = {
      capacity: e.total_available_tickets,
      sold: sum(live, (o) => o.tickets_bought),
      left: e.total_available_tickets - sum(live, (o) => o.tickets_bought),
      revenue: sum(live, (o) => o.tickets_bought * o.price),
      refunded_tickets: sum(gone, (o) => o.tickets_bought),
      refunded_amount: sum(gone, (o) => o.tickets_bought * o.price),
      checked_in: sum(mine, (o) => o.tickets.filter((t) => t.checked_in_at).length),
    };
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shim?.stop();
});

async function adminPage(t, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  t.after(() => context.close());
  page.setDefaultTimeout(PAGE_WAIT_MS);
  page.setDefaultNavigationTimeout(PAGE_WAIT_MS);
  await page.goto(`${shim.base}/signin`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('admin-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('username').filter({ hasText: 'admin' }).waitFor();
  // On a phone the header's links are in its menu.
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('link', { name: 'Sales' }).click();
  await page.getByTestId('sales-table').waitFor();
  page.errors = errors;
  return page;
}

const sumOf = (key) => Object.values(expected).reduce((n, e) => n + e[key], 0);

async function chartTickets(page) {
  await page.locator('.chart-bar').first().waitFor({ state: 'attached' });
  return page.locator('.chart-bar').evaluateAll((bars) => bars.reduce((n, b) => n + Number(b.dataset.tickets), 0));
}

test('the sales dashboard shows the figures the orders give', async (t) => {
  const page = await adminPage(t);
  for (const e of Object.values(events)) {
    const row = page.locator(`tr[data-event-id="${e.id}"]`);
    assert.match(await row.locator('th').innerText(), new RegExp(e.name));
    for (const [key, value] of Object.entries(expected[e.id])) {
      const cell = await row.locator(`td[data-key="${key}"]`).innerText();
      assert.equal(Number(cell.replace(/[^0-9]/g, '')), value, `${e.name} ${key}`);
    }
  }
  const totals = await page.getByTestId('sales-totals').innerText();
  assert.match(totals, new RegExp(`${sumOf('sold')} of ${sumOf('capacity')}`));
  assert.match(totals, new RegExp(`€${sumOf('revenue')}`));
  assert.match(totals, new RegExp(`€${sumOf('refunded_amount')}`));

  // All of today's sales are one bar; one event's chart shows only its tickets.
  assert.equal(await chartTickets(page), sumOf('sold'));
  assert.equal(await page.locator('.chart-bar').count(), 1);
  await page.getByLabel('Event shown in the chart').selectOption(String(events.jazz.id));
  await page.waitForFunction((n) => [...document.querySelectorAll('.chart-bar')]
    .reduce((s, b) => s + Number(b.dataset.tickets), 0) === n, expected[events.jazz.id].sold);
  await page.screenshot({ path: path.join(SHOTS, 'sales.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sales-csv').click()]);
  assert.match(download.suggestedFilename(), /^ticketmonster-sales-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync(await download.path(), 'utf8').split('\r\n');
  assert.equal(lines[0], 'id,name,date,cancelled,capacity,sold,left,revenue,refunded_tickets,refunded_amount,checked_in');
  for (const e of Object.values(events)) {
    const x = expected[e.id];
    assert.ok(lines.includes(`${e.id},"${e.name}",${e.date},false,${x.capacity},${x.sold},${x.left},${x.revenue},` +
      `${x.refunded_tickets},${x.refunded_amount},${x.checked_in}`), `CSV row of ${e.name}`);
  }
  assert.deepEqual(page.errors, []);
});

test('the sales dashboard works on a phone and in dark mode', async (t) => {
  const page = await adminPage(t, { viewport: { width: 375, height: 812 }, colorScheme: 'dark' });
  assert.equal(await chartTickets(page), sumOf('sold'));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no sideways scrolling at 375 px');
  await page.screenshot({ path: path.join(SHOTS, 'sales-phone-dark.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
});
