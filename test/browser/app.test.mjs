// The single-page app in a real Chromium against the real shim and PostgreSQL: browsing,
// signing up, the cart and buying, failures that keep the cart, and the admin screens.
// Run: PGHOST=... PGPORT=... PGUSER=... node --test test/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, freshDatabase, startShim, api, login } from '../lib/harness.mjs';
import { launchChromium, watchCsp, PAGE_WAIT_MS } from './chromium.mjs';
import { apiOk } from './pages.mjs';

const SHOTS = path.join(ROOT, 'test/browser/screenshots');
const ADMIN = ['admin', 'admin-password'];

let shim;
let base;
let browser;
let adminToken;
const ids = {};

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  freshDatabase('tm_browser');
  shim = await startShim('tm_browser');
  base = shim.base;
  adminToken = await login(base, ...ADMIN);
  await seed();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shim?.stop();
});

const ok = (method, urlPath, body, token = adminToken) => apiOk(base, method, urlPath, body, token);

async function seed() {
  const events = [
    ['rock', { name: 'Rock Night', place: 'Sala Apolo', city: 'Barcelona', date: '2027-03-14', price: 40, total_available_tickets: 100 }],
    ['reggae', { name: 'Reggae Sunset', place: 'Playa Norte', city: 'Valencia', date: '2027-05-02', price: 30, total_available_tickets: 50 }],
    ['indie', { name: 'Indie Garden', place: 'Jardines', city: 'Madrid', date: '2027-06-20', price: 25, total_available_tickets: 80 }],
    ['soldout', { name: 'Tiny Club Show', place: 'El Sótano', city: 'Madrid', date: '2027-02-01', price: 20, total_available_tickets: 0 }],
    ['gala', { name: 'Gala Deluxe', place: 'Teatro Real', city: 'Madrid', date: '2027-09-09', price: 150, total_available_tickets: 20 }],
  ];
  for (const [key, e] of events) ids[key] = (await ok('POST', '/event', e)).event.id;
  await ok('POST', `/event/${ids.rock}/artist`, { name: 'The Pebbles', country: 'Spain', genre: 'ROCK' });
  await ok('POST', `/event/${ids.rock}/artist`, { name: 'Loud Lemons', country: 'UK', genre: 'indie' });
  await ok('POST', `/event/${ids.reggae}/artist`, { name: 'Sun Riddim', country: 'Jamaica', genre: 'REGGAE' });
  await ok('POST', `/event/${ids.indie}/artist`, { name: 'Paper Kites', country: 'Australia', genre: 'INDIE' });
}

// A fresh context (own sessionStorage) and page that records every console error and page
// error; `allow` lists the console errors a scenario provokes on purpose (an API 4xx shows
// up as "Failed to load resource").
async function openPage(t, { width = 1280, height = 900, allow = [], expectViolations = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  // The page runs under the shim's Content-Security-Policy: every violation fails the test,
  // whatever `allow` says.
  const violations = await watchCsp(context, page);
  page.cspViolations = violations;
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.setDefaultTimeout(PAGE_WAIT_MS);
  page.setDefaultNavigationTimeout(PAGE_WAIT_MS);
  const unexpected = () => errors.filter((text) => !allow.some((re) => re.test(text)));
  t.after(async () => {
    if (unexpected().length) t.diagnostic(`browser errors: ${unexpected().join(' | ')}`);
    if (!expectViolations) assert.deepEqual(await violations(), [], 'Content-Security-Policy violations');
    await page.screenshot({ path: path.join(SHOTS, `last-${t.name.slice(0, 30).replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    await context.close();
  });
  page.assertNoErrors = async () => {
    assert.deepEqual(unexpected(), [], 'console or page errors');
    if (!expectViolations) assert.deepEqual(await violations(), [], 'Content-Security-Policy violations');
  };
  return page;
}

const shot = (page, name, opts = {}) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, ...opts });
const card = (page, name) => page.locator('article.event-card', { hasText: name });
const notices = (page) => page.locator('#notices');

async function signIn(page, username, password) {
  await page.goto(`${base}/signin`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('username').filter({ hasText: username }).waitFor();
}

test('anonymous visitors browse events, filter them, and see an event and the artists', async (t) => {
  const page = await openPage(t);
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Upcoming events' }).waitFor();
  assert.equal(await page.locator('article.event-card').count(), 5);

  const rock = card(page, 'Rock Night');
  for (const text of ['The Pebbles', 'Loud Lemons', 'Sala Apolo', 'Barcelona', '€40', '100 tickets left']) {
    assert.ok((await rock.innerText()).includes(text), `card shows ${text}`);
  }
  assert.match(await card(page, 'Tiny Club Show').innerText(), /Sold out/);
  assert.equal(await rock.getByRole('link', { name: 'Sign in to buy' }).count(), 1);
  await shot(page, 'events');

  await page.getByLabel('City').selectOption('Madrid');
  assert.equal(await page.locator('article.event-card:visible').count(), 3);
  await page.getByLabel('Search').fill('paper kites');
  assert.equal(await page.locator('article.event-card:visible').count(), 1);
  assert.ok(await card(page, 'Indie Garden').isVisible());
  await page.getByLabel('City').selectOption('');
  await page.getByLabel('Search').fill('');

  await rock.getByRole('link', { name: 'Rock Night' }).click();
  await page.waitForURL(`${base}/show/${ids.rock}`);
  await page.getByRole('heading', { name: 'Rock Night', level: 1 }).waitFor();
  assert.match(await page.locator('.artist-list').innerText(), /The Pebbles[\s\S]*Spain[\s\S]*Rock/);
  await shot(page, 'event-detail');

  await page.getByRole('link', { name: 'Artists', exact: true }).click();
  await page.getByRole('heading', { name: 'Artists', level: 1 }).waitFor();
  assert.equal(await page.getByTestId('artists').locator('li').count(), 4);
  await shot(page, 'artists');

  // A reload on a client route gets the page again (history-mode fallback).
  await page.reload();
  await page.getByRole('heading', { name: 'Artists', level: 1 }).waitFor();
  await page.assertNoErrors();
});

test('the events page works at 375px', async (t) => {
  const page = await openPage(t, { width: 375, height: 812 });
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Upcoming events' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
  await shot(page, 'events-mobile');
  await page.assertNoErrors();
});

test('a new user signs up, fills the cart, buys it in one request, and sees the orders', async (t) => {
  const page = await openPage(t);
  const orderRequests = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/orders/alice') orderRequests.push(r);
  });

  await page.goto(`${base}/signup`);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByTestId('username').filter({ hasText: 'alice' }).waitFor();
  await page.getByTestId('money').filter({ hasText: '€200' }).waitFor();
  assert.ok(!page.url().includes('token'), 'the token never goes into the URL');
  assert.ok(await page.evaluate(() => JSON.parse(sessionStorage.getItem('tm.session')).token.length > 10));

  // Sold out: the card says so once, and offers no button.
  assert.equal((await card(page, 'Tiny Club Show').innerText()).match(/Sold out/g).length, 1);
  assert.equal(await card(page, 'Tiny Club Show').getByRole('button').count(), 0);

  await card(page, 'Rock Night').getByRole('button', { name: /Add a ticket/ }).click();
  // Keyboard: the control is a real button.
  await card(page, 'Reggae Sunset').getByRole('button', { name: /Add a ticket/ }).focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('cart-link').filter({ hasText: '2' }).waitFor();

  await page.getByTestId('cart-link').click();
  await page.getByRole('heading', { name: 'Your cart' }).waitFor();
  await page.getByRole('button', { name: 'One more ticket for Rock Night' }).click();
  await page.getByTestId('cart-total').filter({ hasText: '€110' }).waitFor();
  await page.getByRole('button', { name: 'One more ticket for Reggae Sunset' }).click();
  await page.getByRole('button', { name: 'One ticket fewer for Reggae Sunset' }).click();
  assert.match(await page.getByTestId('coverage').innerText(), /€90 left/);
  await shot(page, 'cart');
  await page.setViewportSize({ width: 375, height: 812 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'cart fits 375px');
  await shot(page, 'cart-mobile');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The cart survives a reload (sessionStorage).
  await page.reload();
  await page.getByTestId('cart-total').filter({ hasText: '€110' }).waitFor();

  await page.getByRole('button', { name: 'Buy 3 tickets' }).click();
  await page.waitForURL(`${base}/my-orders`);
  await notices(page).filter({ hasText: 'Purchase complete' }).waitFor();
  await page.getByTestId('money').filter({ hasText: '€90' }).waitFor();
  await page.getByTestId('orders').waitFor();
  const rows = page.getByTestId('orders').locator('tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await page.getByTestId('orders').innerText(), /Rock Night[\s\S]*Reggae Sunset|Reggae Sunset[\s\S]*Rock Night/);
  await shot(page, 'orders');

  assert.equal(orderRequests.length, 1, 'the whole cart goes in one request');
  const req = orderRequests[0];
  assert.match(req.headers()['idempotency-key'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(req.headers().authorization, /^Bearer /);
  assert.deepEqual(JSON.parse(req.postData()), {
    orders: [{ event_id: ids.rock, tickets_bought: 2 }, { event_id: ids.reggae, tickets_bought: 1 }],
  });
  assert.equal(await page.evaluate(() => sessionStorage.getItem('tm.cart')), null, 'cart cleared');
  const token = await login(base, 'alice', 'alice-password');
  assert.equal((await ok('GET', '/account/alice', undefined, token)).account.available_money, 90);

  // Logging out forgets the session, and revokes its token on the server (POST /logout).
  const pageToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem('tm.session')).token);
  const loggedOut = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/logout'));
  await page.getByRole('button', { name: 'Log out' }).click();
  assert.equal((await loggedOut).status(), 200);
  await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('tm.session')), null);
  assert.equal((await api(base, 'GET', '/account/alice', { token: pageToken })).status, 401);
  await page.assertNoErrors();
});

test('a purchase the API refuses shows its message and keeps the cart', async (t) => {
  await ok('POST', '/account', { username: 'bob', password: 'bob-password' }, null);
  const page = await openPage(t, { allow: [/status of 409/] });
  await signIn(page, 'bob', 'bob-password');
  await card(page, 'Gala Deluxe').getByRole('button', { name: /Add a ticket/ }).click();
  // With €50 left after the gala ticket, another one is not affordable: the button says so.
  await card(page, 'Gala Deluxe').getByRole('button', { name: /Not enough money/ }).waitFor();
  await page.getByTestId('cart-link').click();
  await page.getByTestId('cart-total').filter({ hasText: '€150' }).waitFor();

  // Meanwhile, in another tab, bob spends €75: the page still believes he has €200.
  const token = await login(base, 'bob', 'bob-password');
  await ok('POST', '/orders/bob', { orders: [{ event_id: ids.indie, tickets_bought: 3 }] }, token);

  const refused = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/orders/bob'));
  await page.getByRole('button', { name: 'Buy 1 ticket' }).click();
  const response = await refused;
  assert.equal(response.status(), 409);
  const body = await response.json();
  assert.equal(body.code, 'insufficient_funds');
  const error = notices(page).locator('.notice.error');
  await error.waitFor();
  const message = await error.innerText();
  // In words for people, the amounts with their currency (the API says "Costs 150, available 125.").
  assert.equal(body.detail, 'Costs 150, available 125.');
  assert.match(message, /Not enough money\. Costs €150, you have €125\./);
  assert.equal(await page.getByTestId('cart-lines').locator('li').count(), 1, 'the cart is kept');
  assert.deepEqual(await page.evaluate(() => JSON.parse(sessionStorage.getItem('tm.cart')).lines), [{ event_id: ids.gala, qty: 1 }]);
  await page.getByTestId('money').filter({ hasText: '€125' }).waitFor();
  assert.ok(await page.getByRole('button', { name: 'Buy 1 ticket' }).isDisabled(), 'now the page knows the balance');
  await shot(page, 'cart-error');
  assert.equal((await ok('GET', '/account/bob', undefined, token)).account.available_money, 125);
  await page.assertNoErrors();
});

test('a Buy whose request is lost is retried with the same Idempotency-Key, and buys once', async (t) => {
  await ok('POST', '/account', { username: 'dave', password: 'dave-password' }, null);
  const page = await openPage(t, { allow: [/net::ERR_FAILED/] });
  await signIn(page, 'dave', 'dave-password');
  await card(page, 'Indie Garden').getByRole('button', { name: /Add a ticket/ }).click();
  await page.getByTestId('cart-link').click();
  const keys = [];
  await page.route('**/orders/dave', (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    return keys.length === 1 ? route.abort('failed') : route.continue();
  });
  await page.getByRole('button', { name: 'Buy 1 ticket' }).click();
  await page.waitForURL(`${base}/my-orders`);
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1], 'the retry reuses the key');
  await notices(page).filter({ hasText: 'Purchase complete' }).waitFor();
  await page.getByTestId('orders').waitFor();
  assert.equal(await page.getByTestId('orders').locator('tbody tr').count(), 1);
  await page.getByTestId('money').filter({ hasText: '€175' }).waitFor();

  // The next click is a new purchase with a new key.
  await page.goto(`${base}/`);
  await card(page, 'Indie Garden').getByRole('button', { name: /Add a ticket/ }).click();
  await page.getByTestId('cart-link').click();
  await page.getByRole('button', { name: 'Buy 1 ticket' }).click();
  await page.waitForURL(`${base}/my-orders`);
  assert.equal(keys.length, 3);
  assert.notEqual(keys[2], keys[0]);
  await notices(page).filter({ hasText: 'Purchase complete' }).waitFor();
  await page.getByTestId('orders').waitFor();
  assert.equal(await page.getByTestId('orders').locator('tbody tr').count(), 2);
  await page.assertNoErrors();
});

test('an expired or rejected token sends the user back to sign in', async (t) => {
  await ok('POST', '/account', { username: 'carol', password: 'carol-password' }, null);
  const page = await openPage(t, { allow: [/status of 401/] });
  await signIn(page, 'carol', 'carol-password');
  await card(page, 'Indie Garden').getByRole('button', { name: /Add a ticket/ }).click();
  await page.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('tm.session'));
    sessionStorage.setItem('tm.session', JSON.stringify({ ...s, token: `${s.token}x` }));
  });
  await page.goto(`${base}/my-orders`);
  await page.waitForURL(`${base}/signin`);
  await notices(page).filter({ hasText: 'sign in again' }).waitFor();
  await shot(page, 'signin');
  // Signing in again returns to the page and keeps the cart.
  await page.getByLabel('Username').fill('carol');
  await page.getByLabel('Password').fill('carol-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/my-orders`);
  await page.getByRole('heading', { name: 'My orders' }).waitFor();
  await page.getByTestId('cart-link').filter({ hasText: '1' }).waitFor();
  await page.assertNoErrors();
});

test('an admin creates an artist and an event, links them, edits the event and deletes it', async (t) => {
  const page = await openPage(t);
  await signIn(page, ...ADMIN);
  await page.waitForURL(`${base}/admin/events`);
  await page.getByRole('heading', { name: 'Manage events' }).waitFor();
  await shot(page, 'admin-events');

  // Admins do not buy.
  await page.goto(`${base}/`);
  await card(page, 'Rock Night').getByRole('link', { name: 'Edit event' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /Add a ticket/ }).count(), 0);
  assert.equal(await page.getByTestId('cart-link').count(), 0);

  // A new artist.
  await page.getByRole('link', { name: 'Manage artists' }).click();
  const artistForm = page.getByRole('form', { name: 'New artist' });
  await artistForm.getByLabel('Name').fill('Nova Lights');
  await artistForm.getByLabel('Country').fill('Iceland');
  await artistForm.getByLabel('Genre').selectOption('ELECTRONIC');
  await artistForm.getByRole('button', { name: 'Create artist' }).click();
  await page.getByTestId('admin-artists').getByRole('row', { name: /Nova Lights/ }).waitFor();
  await page.getByRole('button', { name: 'Edit Nova Lights' }).click();
  await page.getByRole('form', { name: 'Edit Nova Lights' }).getByLabel('Country').fill('Norway');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('admin-artists').getByRole('row', { name: /Nova Lights.*Norway/ }).waitFor();
  await shot(page, 'admin-artists');

  // A new event.
  await page.getByRole('link', { name: 'Manage events' }).click();
  await page.getByRole('link', { name: 'New event' }).click();
  await page.getByLabel('Name').fill('Aurora Fest');
  await page.getByLabel('Date').fill('2027-11-05');
  await page.getByLabel('Place').fill('Harbour Hall');
  await page.getByLabel('City').fill('Bilbao');
  await page.getByLabel('Price (€)').fill('55');
  await page.getByLabel('Total tickets').fill('300');
  await page.getByRole('button', { name: 'Create event' }).click();
  await page.getByRole('heading', { name: 'Edit: Aurora Fest' }).waitFor();
  const eventId = Number(new URL(page.url()).pathname.split('/').pop());
  assert.ok(eventId > 0);

  // Link the existing artist, then a brand-new one typed in.
  const add = page.getByRole('form', { name: 'Add an artist' });
  await add.getByLabel('Choose an artist').selectOption({ label: 'Nova Lights (Norway, Electronic)' });
  await add.getByRole('button', { name: 'Add to line-up' }).click();
  await page.getByTestId('event-artists').filter({ hasText: 'Nova Lights' }).waitFor();
  await add.getByLabel('New artist').check();
  await add.getByLabel('Artist name').fill('Fjord Echo');
  await add.getByLabel('Country').fill('Norway');
  await add.getByLabel('Genre').selectOption('INDIE');
  await add.getByRole('button', { name: 'Add to line-up' }).click();
  await page.getByTestId('event-artists').filter({ hasText: 'Fjord Echo' }).waitFor();
  let e = (await ok('GET', `/event/${eventId}`)).event;
  assert.deepEqual(e.artists.map((a) => a.name).sort(), ['Fjord Echo', 'Nova Lights']);

  // Remove one (confirmed in a dialog).
  await page.getByRole('button', { name: 'Remove Fjord Echo from this event' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await notices(page).filter({ hasText: 'Removed Fjord Echo' }).waitFor();
  await page.getByRole('button', { name: 'Remove Fjord Echo from this event' }).waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('event-artists').locator('li').count(), 1);

  // Edit it.
  await page.getByLabel('Price (€)').fill('60');
  await page.getByRole('form', { name: 'Event details' }).getByLabel('City').fill('Donostia');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await notices(page).filter({ hasText: 'Saved “Aurora Fest”' }).waitFor();
  e = (await ok('GET', `/event/${eventId}`)).event;
  assert.equal(e.price, 60);
  assert.equal(e.city, 'Donostia');
  await shot(page, 'admin-event-edit');

  // The accounts page.
  await page.getByRole('link', { name: 'Accounts' }).click();
  const accounts = page.getByTestId('admin-accounts');
  await accounts.getByRole('row', { name: /alice/ }).waitFor();
  await shot(page, 'admin-accounts');
  await page.getByRole('button', { name: 'Delete carol' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await notices(page).filter({ hasText: 'Deleted carol' }).waitFor();
  assert.equal(await accounts.getByRole('row', { name: /carol/ }).count(), 0);
  assert.equal((await api(base, 'GET', '/account/carol', { token: adminToken })).status, 404);
  await page.setViewportSize({ width: 375, height: 812 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'accounts fit 375px');
  await shot(page, 'admin-accounts-mobile');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Delete: cancel first, then confirm.
  await page.goto(`${base}/admin/events/${eventId}`);
  await page.getByRole('button', { name: 'Delete event' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await api(base, 'GET', `/event/${eventId}`)).status, 200);
  await page.getByRole('button', { name: 'Delete event' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(`${base}/admin/events`);
  await notices(page).filter({ hasText: 'Deleted “Aurora Fest”' }).waitFor();
  assert.equal(await page.getByTestId('admin-events').getByRole('row', { name: /Aurora Fest/ }).count(), 0);
  assert.equal((await api(base, 'GET', `/event/${eventId}`)).status, 404);
  await page.assertNoErrors();
});

test('the page runs under its CSP: an injected inline script and a foreign script are refused, and seen', async (t) => {
  const page = await openPage(t, { expectViolations: true });
  const response = await page.goto(`${base}/`);
  assert.match(response.headers()['content-security-policy'], /default-src 'self'/);
  await page.getByRole('heading', { name: 'Upcoming events' }).waitFor();
  // What an XSS would try: an inline script, an inline event handler, a script from elsewhere.
  await page.evaluate(() => {
    const inline = document.createElement('script');
    inline.textContent = 'window.__pwned = true';
    document.body.append(inline);
    const img = document.createElement('img');
    img.setAttribute('onerror', 'window.__pwned = true');
    img.src = '/static/no-such-image.png';
    document.body.append(img);
    const foreign = document.createElement('script');
    foreign.src = 'http://127.0.0.1:9/evil.js';
    document.body.append(foreign);
  });
  let seen = [];
  for (let i = 0; i < 100 && seen.length < 3; i++) {
    await new Promise((r) => setTimeout(r, 20));
    seen = await page.evaluate(() => window.__cspViolations);
  }
  assert.equal(await page.evaluate(() => window.__pwned ?? false), false, 'injected script ran');
  assert.equal(seen.length, 3, JSON.stringify(seen));
  assert.ok(seen.every((v) => /^script-src/.test(v)), JSON.stringify(seen));
  // And so the harness fails any test whose page violates the policy.
  assert.notDeepEqual(await page.cspViolations(), []);
});
