// Every screen, as issue 16 asks: at 375 px wide (no horizontal scrolling), in light and dark
// mode (readable: text contrast at least 4.5:1, 3:1 when large), and in dark mode 1280 px
// wide too; by keyboard (Tab to the main actions and use them with Enter, focus always
// visible); under the strict CSP, with no console errors and no request leaving our origin.
// Screenshots: test/browser/screenshots/screen-NAME-{light,dark,dark-wide}.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase, startShim, api, login, psql } from '../lib/harness.mjs';
import { launchChromium } from './chromium.mjs';
import { openPage, shot, assertOwnOrigin, apiOk } from './pages.mjs';
import { lowContrastTexts } from './contrast.mjs';

const DB = 'tm_browser_screens';
const WIDTH = 375;
const WIDE = { width: 1280, height: 900 };
let shim;
let base;
let browser;
let adminToken;
const ids = {};

const ok = (method, urlPath, body, token = adminToken) => apiOk(base, method, urlPath, body, token);

before(async () => {
  freshDatabase(DB);
  psql(DB, "SET ticketmonster.password_cost = 1; SELECT tm_create_staff('doorkeeper', 'door-password')");
  shim = await startShim(DB);
  base = shim.base;
  adminToken = await login(base, 'admin', 'admin-password');
  const event = async (key, fields) => {
    ids[key] = (await ok('POST', '/event', { place: 'Palau de la Música Catalana', city: 'Barcelona', capacity: 120, ...fields })).event.id;
  };
  await event('rock', { name: 'Rock Night', date: '2030-03-14', time: '21:00', price: 40, image_url: '/static/images/arena-lights.svg' });
  await event('jazz', { name: 'A Very Long Jazz Evening', date: '2030-04-02', price: 15, max_tickets_per_account: 4 });
  await event('few', { name: 'Tiny Club Show', place: 'El Sótano', date: '2030-02-01', price: 20, capacity: 2 });
  await ok('POST', `/event/${ids.rock}/artist`, { name: 'The Pebbles', country: 'Spain', genre: 'ROCK' });
  await ok('POST', `/event/${ids.jazz}/artist`, { name: 'Blue Quartet With A Long Name', country: 'United States', genre: 'OTHER' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shim?.stop();
});

// The checks of one screen: in light and dark mode at the page's size (375 px), then in dark
// mode on a wide screen, where tables and grids are laid out differently.
async function checkScreen(page, name) {
  const phone = page.viewportSize();
  for (const [scheme, size] of [['light', phone], ['dark', phone], ['dark', WIDE]]) {
    await page.setViewportSize(size);
    await page.emulateMedia({ colorScheme: scheme });
    // Colours change with a transition (buttons): judge them once it has ended.
    await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
    const bodyBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
    assert.equal(dark, scheme === 'dark', `${name}: ${scheme} mode is emulated (${bodyBg})`);
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client, `${name} (${scheme}): no horizontal scrolling at ${client}px, content is ${scroll}px wide`);
    assert.deepEqual(await lowContrastTexts(page), [], `${name} (${scheme}, ${size.width}px): text with too little contrast`);
    await shot(page, `screen-${name}-${scheme}${size === WIDE ? '-wide' : ''}`);
  }
  await page.setViewportSize(phone);
  await page.emulateMedia({ colorScheme: 'light' });
  assertOwnOrigin(page, base);
  await page.assertClean();
}

// Tab (never the mouse) until `locator` has the focus, and check that the focus is visible.
async function tabTo(page, locator, { max = 80 } = {}) {
  const target = await locator.elementHandle();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) {
      const outline = await target.evaluate((el) => getComputedStyle(el).outlineStyle);
      assert.notEqual(outline, 'none', 'the keyboard focus is visible');
      return;
    }
  }
  assert.fail(`${locator} cannot be reached with Tab`);
}

const heading = (page, name) => page.getByRole('heading', { name, level: 1 }).waitFor();

test('a visitor browses, signs up and buys, at 375 px, light and dark, by keyboard', async (t) => {
  const page = await openPage(browser, t, { width: WIDTH, height: 812 });
  await page.goto(`${base}/`);
  await heading(page, 'Upcoming events');
  await checkScreen(page, 'events');

  // Search by keyboard, then open an event from its card.
  await tabTo(page, page.getByLabel('Search'));
  await page.keyboard.type('jazz');
  await page.waitForFunction(() => document.querySelectorAll('article.event-card:not([hidden])').length === 1);
  await tabTo(page, page.getByRole('link', { name: 'A Very Long Jazz Evening' }));
  await page.keyboard.press('Enter');
  await heading(page, 'A Very Long Jazz Evening');
  await checkScreen(page, 'event');

  await page.goto(`${base}/lineup`);
  await heading(page, 'Artists');
  await checkScreen(page, 'artists');
  await tabTo(page, page.getByRole('link', { name: 'Blue Quartet With A Long Name' }).first());
  await page.keyboard.press('Enter');
  await heading(page, 'Blue Quartet With A Long Name');
  await checkScreen(page, 'artist');

  await page.goto(`${base}/show/${ids.rock}`);
  await heading(page, 'Rock Night');
  await tabTo(page, page.getByRole('link', { name: 'Sign in to buy' }));
  await page.keyboard.press('Enter');
  await heading(page, 'Sign in');
  await checkScreen(page, 'signin');
  await tabTo(page, page.getByRole('main').getByRole('link', { name: /Create an account|Sign up/ }).first());
  await page.keyboard.press('Enter');
  await heading(page, 'Create an account');
  await checkScreen(page, 'signup');
  await tabTo(page, page.getByLabel('Username'));
  await page.keyboard.type('kim');
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type('kim-password');
  await page.keyboard.press('Enter');
  await page.getByTestId('username').filter({ hasText: 'kim' }).waitFor({ state: 'attached' }); // on a phone the name may sit in a closed menu

  // Two tickets into the cart with the keyboard, from a card and from the event page.
  await page.goto(`${base}/`);
  await heading(page, 'Upcoming events');
  await tabTo(page, page.getByRole('button', { name: 'Add a ticket for Rock Night to the cart' }));
  await page.keyboard.press('Enter');
  await page.getByTestId('cart-link').filter({ hasText: '1' }).waitFor();
  await page.goto(`${base}/show/${ids.jazz}`);
  await heading(page, 'A Very Long Jazz Evening');
  await tabTo(page, page.getByRole('button', { name: /Add a ticket for A Very Long Jazz Evening/ }));
  await page.keyboard.press('Enter');
  await page.getByTestId('cart-link').filter({ hasText: '2' }).waitFor();

  await page.goto(`${base}/cart`);
  await heading(page, 'Your cart');
  await checkScreen(page, 'cart');
  await tabTo(page, page.getByRole('button', { name: 'Buy 2 tickets' }));
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/my-orders`);
  await page.getByTestId('orders').waitFor();
  await checkScreen(page, 'orders');
  await tabTo(page, page.getByRole('link', { name: 'Tickets' }).first());
  await page.keyboard.press('Enter');
  await page.getByTestId('ticket').first().waitFor();
  await checkScreen(page, 'tickets');
  await tabTo(page, page.getByRole('button', { name: 'Print tickets' }));
});

test('an admin manages events, artists, accounts and sales, at 375 px, light and dark, by keyboard', async (t) => {
  const page = await openPage(browser, t, { width: WIDTH, height: 812 });
  await page.goto(`${base}/signin`);
  await heading(page, 'Sign in');
  await tabTo(page, page.getByLabel('Username'));
  await page.keyboard.type('admin');
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type('admin-password');
  await page.keyboard.press('Enter');
  await heading(page, 'Manage events');
  await page.getByTestId('admin-events').waitFor();
  await checkScreen(page, 'admin-events');

  await tabTo(page, page.getByRole('link', { name: 'Edit Rock Night' }));
  await page.keyboard.press('Enter');
  await heading(page, 'Edit: Rock Night');
  await checkScreen(page, 'admin-event-form');
  await tabTo(page, page.getByLabel('Price (€)'));
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('42');
  await tabTo(page, page.getByRole('button', { name: 'Save changes' }));
  await page.keyboard.press('Enter');
  await page.locator('#notices').filter({ hasText: 'Saved “Rock Night”' }).waitFor();
  assert.equal((await ok('GET', `/event/${ids.rock}`)).event.price, 42);

  await page.goto(`${base}/admin/events/new`);
  await heading(page, 'New event');
  await checkScreen(page, 'admin-event-new');

  await page.goto(`${base}/admin/artists`);
  await heading(page, 'Manage artists');
  await checkScreen(page, 'admin-artists');
  const newArtist = page.getByRole('form', { name: 'New artist' });
  await tabTo(page, newArtist.getByLabel('Name'));
  await page.keyboard.type('Keyboard Cats');
  await tabTo(page, newArtist.getByLabel('Country'));
  await page.keyboard.type('Finland');
  await page.keyboard.press('Enter');
  await page.getByTestId('admin-artists').getByRole('row', { name: /Keyboard Cats/ }).waitFor();

  await page.goto(`${base}/admin/accounts`);
  await heading(page, 'Accounts');
  await page.getByTestId('admin-accounts').getByRole('row', { name: /kim/ }).waitFor();
  await checkScreen(page, 'admin-accounts');
  await tabTo(page, page.getByRole('button', { name: 'Delete kim' }));
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor();
  await checkScreen(page, 'admin-accounts-confirm');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  assert.equal((await api(base, 'GET', '/account/kim', { token: adminToken })).status, 200, 'Escape deletes nothing');

  await page.goto(`${base}/admin/sales`);
  await heading(page, 'Sales');
  await page.getByTestId('sales-table').waitFor();
  await checkScreen(page, 'admin-sales');
  await tabTo(page, page.getByTestId('sales-csv'));
  const download = page.waitForEvent('download');
  await page.keyboard.press('Enter');
  assert.match((await download).suggestedFilename(), /\.csv$/);
});

test('door staff check a ticket in at 375 px, light and dark, by keyboard', async (t) => {
  const kim = await login(base, 'kim', 'kim-password');
  const order = (await ok('GET', '/orders/kim', undefined, kim)).orders.find((o) => o.event_id === ids.rock);
  const page = await openPage(browser, t, { width: WIDTH, height: 812 });
  await page.goto(`${base}/signin`);
  await page.getByLabel('Username').fill('doorkeeper');
  await page.getByLabel('Password').fill('door-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('username').filter({ hasText: 'doorkeeper' }).waitFor({ state: 'attached' });
  await page.goto(`${base}/door`);
  await heading(page, 'Check-in');
  await checkScreen(page, 'door');
  await tabTo(page, page.getByTestId('checkin-code'));
  await page.keyboard.type(order.tickets[0].code);
  await page.keyboard.press('Enter');
  await page.getByTestId('verdict').filter({ hasText: 'Valid' }).waitFor();
  await checkScreen(page, 'door-valid');
});
