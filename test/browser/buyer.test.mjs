// The buyer's walkthrough of issue 16 (item 3) in Chromium against the real shim and
// PostgreSQL: notices where the person is, readable disabled buttons, what the cart commits,
// a cart that recovers from a sold-out failure, errors in plain words, a session that slides
// while the person is active and ends with a clear message, filters in the URL, the starting
// credit, and a compact header on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase, psql, startShim, login } from '../lib/harness.mjs';
import { launchChromium, PAGE_WAIT_MS } from './chromium.mjs';
import { apiOk, openPage, shot } from './pages.mjs';
import { contrast } from './contrast.mjs';

const DB = 'tm_browser_buyer';
// Not the default 200: the page must learn the starting credit, not assume it.
const CREDIT = 230;
// The session test's shim issues short tokens; waits are derived from each token's own
// iat and exp, so this only sets how long the test takes.
const SHORT_TTL = 40;

let shim;
let base;
let browser;
let adminToken;
const ids = {};
let userSeq = 0;

before(async () => {
  freshDatabase(DB);
  psql(DB, `ALTER DATABASE ${DB} SET ticketmonster.initial_credit = ${CREDIT}`);
  shim = await startShim(DB);
  base = shim.base;
  adminToken = await login(base, 'admin', 'admin-password');
  const events = [
    ['harbour', { name: 'Harbour Lights', place: 'Muelle 3', city: 'Bilbao', date: '2030-03-01', price: 40, total_available_tickets: 100 }],
    ['free', { name: 'Free Park Jam', place: 'Retiro', city: 'Madrid', date: '2030-03-02', price: 0, total_available_tickets: 50 }],
    ['gone', { name: 'Gone Gig', place: 'El Sótano', city: 'Madrid', date: '2030-03-03', price: 20, total_available_tickets: 0 }],
    ['gala', { name: 'Big Gala', place: 'Teatro Real', city: 'Sevilla', date: '2030-03-04', price: 190, total_available_tickets: 20 }],
    ['three', { name: 'Last Three', place: 'La Rambleta', city: 'Valencia', date: '2030-03-05', price: 15, total_available_tickets: 3 }],
    ['market', { name: 'Night Market', place: 'Mercado', city: 'Valencia', date: '2030-03-06', price: 60, total_available_tickets: 40 }],
    ['strings', { name: 'Quiet Strings', place: 'Auditorio', city: 'Bilbao', date: '2030-03-07', price: 25, total_available_tickets: 60 }],
  ];
  for (const [key, e] of events) ids[key] = (await ok('POST', '/event', e)).event.id;
  await ok('POST', `/event/${ids.free}/artist`, { name: 'Park Rangers', country: 'Spain', genre: 'POP' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shim?.stop();
});

const ok = (method, urlPath, body, token = adminToken, at = base) => apiOk(at, method, urlPath, body, token);

// A new buyer account through the API; returns its name and password.
async function newBuyer(prefix = 'buyer') {
  const username = `${prefix}${++userSeq}`;
  const password = `${username}-password`;
  await ok('POST', '/account', { username, password }, null);
  return [username, password];
}

const card = (page, name) => page.locator('article.event-card', { hasText: name });
const notices = (page) => page.locator('#notices');
const tokenOf = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('tm.session') ?? 'null')?.token ?? null);
const claims = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

// Signs in through the page; waits for the balance in the header (shown at every width).
async function signIn(page, username, password, at = base) {
  await page.goto(`${at}/signin`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('money').filter({ hasText: '€' }).waitFor();
}

// The box of an element in viewport coordinates, and the viewport's height.
const box = (locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, height: r.height, inner: window.innerHeight };
});

test('on a phone a notice shows where the person is, pushes nothing down, and goes with the next screen', async (t) => {
  const [user, password] = await newBuyer();
  const page = await openPage(browser, t, { width: 390, height: 844, allow: [/status of 400/] });
  await signIn(page, user, password);
  await page.goto(`${base}/`);
  const last = card(page, 'Quiet Strings');
  await last.scrollIntoViewIfNeeded();
  const mainTop = () => page.evaluate(() => document.getElementById('main').getBoundingClientRect().top + window.scrollY);
  const before = await mainTop();
  await last.getByRole('button', { name: /Add a ticket/ }).click();
  const notice = notices(page).locator('.notice', { hasText: 'Quiet Strings' });
  await notice.waitFor();
  // In the viewport, below the sticky header: where the person is looking.
  const n = await box(notice);
  const header = await box(page.locator('.site-header'));
  assert.ok(n.top >= header.bottom - 1 && n.bottom <= n.inner, `notice at ${n.top}-${n.bottom} of a ${n.inner} px viewport (header ends at ${header.bottom})`);
  assert.equal(await mainTop(), before, 'the notice pushed the page down');
  assert.equal(await notices(page).getAttribute('aria-live'), 'polite');
  await shot(page, 'buyer-notice-mobile');

  // An error stays until it is dismissed or the person moves on: the next screen starts clean.
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(`${base}/signin`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const error = notices(page).locator('.notice.error');
  await error.waitFor();
  assert.ok((await box(error)).bottom <= 844, 'the error is in view');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();
  assert.equal(await error.count(), 0, 'the sign-in error is gone on the sign-up form');
  await page.assertClean();
});

test('disabled buttons and their reasons read at 4.5:1 or more, light and dark', async (t) => {
  for (const colorScheme of ['light', 'dark']) {
    const [user, password] = await newBuyer();
    const page = await openPage(browser, t, { colorScheme });
    await signIn(page, user, password);
    await page.goto(`${base}/show/${ids.gala}`);
    await page.getByRole('button', { name: /Add a ticket/ }).click();
    await page.goto(`${base}/`);
    await card(page, 'Night Market').getByRole('button', { name: /Not enough money/ }).waitFor();
    const buttons = page.locator('main button:disabled');
    assert.ok(await buttons.count() >= 2, 'cards with a disabled button');
    for (const b of await buttons.all()) {
      const c = await contrast(b);
      assert.ok(c.ratio >= 4.5, `${colorScheme}: "${await b.innerText()}" is ${c.fg} on ${c.bg}, ${c.ratio.toFixed(2)}:1`);
    }
    const sold = card(page, 'Gone Gig').getByText('Sold out');
    const c = await contrast(sold);
    assert.ok(c.ratio >= 4.5, `${colorScheme}: "Sold out" is ${c.fg} on ${c.bg}, ${c.ratio.toFixed(2)}:1`);
    await shot(page, `buyer-disabled-${colorScheme}`);
    await page.assertClean();
  }
});

test('a card says Sold out once, the event page its price once, a free event reads Free, and counts agree in number', async (t) => {
  const page = await openPage(browser, t);
  await page.goto(`${base}/`);
  await card(page, 'Gone Gig').waitFor();
  assert.equal((await card(page, 'Gone Gig').innerText()).match(/sold out/gi)?.length, 1, 'Sold out once on the card');
  const free = await card(page, 'Free Park Jam').innerText();
  assert.match(free, /\bFree\b/);
  assert.doesNotMatch(free, /€\s?0\b/);

  await page.goto(`${base}/show/${ids.harbour}`);
  await page.getByRole('heading', { name: 'Harbour Lights', level: 1 }).waitFor();
  assert.equal((await page.locator('main').innerText()).match(/€40/g)?.length, 1, 'the price once on the event page');
  await page.goto(`${base}/show/${ids.gone}`);
  await page.getByRole('heading', { name: 'Gone Gig', level: 1 }).waitFor();
  assert.equal((await page.locator('main').innerText()).match(/sold out/gi)?.length, 1, 'Sold out once on the event page');
  await page.goto(`${base}/show/${ids.free}`);
  await page.getByRole('heading', { name: 'Free Park Jam', level: 1 }).waitFor();
  assert.match(await page.locator('main').innerText(), /\bFree\b/);
  assert.doesNotMatch(await page.locator('main').innerText(), /€\s?0\b/);
  await shot(page, 'buyer-free-event');

  // One order, one ticket: no "1 orders", no "ticket(s)".
  const [user, password] = await newBuyer();
  const token = await login(base, user, password);
  await ok('POST', `/orders/${user}`, { event_id: ids.strings, tickets_bought: 1 }, token);
  await signIn(page, user, password);
  await page.goto(`${base}/my-orders`);
  await page.getByTestId('orders').waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /\b1 order\b/);
  assert.doesNotMatch(text, /\b1 orders\b/);
  await page.getByRole('button', { name: /^Cancel order/ }).click();
  const dialog = page.getByRole('dialog');
  assert.match(await dialog.innerText(), /your 1 ticket for/);
  assert.doesNotMatch(await dialog.innerText(), /\(s\)/);
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.goto(`${base}/`);
  await card(page, 'Quiet Strings').getByRole('button', { name: /Add a ticket/ }).click();
  await page.getByTestId('cart-link').filter({ hasText: '1' }).waitFor();
  assert.match(await page.getByTestId('cart-link').locator('.badge').getAttribute('aria-label'), /\b1 ticket\b(?!s)/);
  await page.assertClean();
});

test('the header says how much of the balance the cart already commits', async (t) => {
  const [user, password] = await newBuyer();
  const page = await openPage(browser, t);
  await signIn(page, user, password);
  await page.getByTestId('money').filter({ hasText: `€${CREDIT}` }).waitFor();
  await card(page, 'Big Gala').getByRole('button', { name: /Add a ticket/ }).click();
  await card(page, 'Night Market').getByRole('button', { name: /Not enough money/ }).waitFor();
  const money = page.getByTestId('money');
  await money.filter({ hasText: /€190 in (your )?cart/ }).waitFor();
  assert.match(await money.innerText(), new RegExp(`€${CREDIT}`));
  await shot(page, 'buyer-header-cart');
  await page.assertClean();
});

test('after a sold-out failure the cart names the event, offers set-to and remove, says why Buy waits, and counts what can be bought', async (t) => {
  const [user, password] = await newBuyer();
  const page = await openPage(browser, t, { allow: [/status of 409/] });
  await signIn(page, user, password);
  await card(page, 'Last Three').getByRole('button', { name: /Add a ticket/ }).click();
  await card(page, 'Harbour Lights').getByRole('button', { name: /Add a ticket/ }).click();
  await page.getByTestId('cart-link').click();
  await page.getByRole('button', { name: 'One more ticket for Last Three' }).click();
  await page.getByRole('button', { name: 'One more ticket for Last Three' }).click();
  await page.getByTestId('cart-total').filter({ hasText: '€85' }).waitFor();

  // Meanwhile someone else buys two of the three.
  const [other, otherPassword] = await newBuyer('rival');
  await ok('POST', `/orders/${other}`, { event_id: ids.three, tickets_bought: 2 }, await login(base, other, otherPassword));

  await page.getByRole('button', { name: 'Buy 4 tickets' }).click();
  const error = notices(page).locator('.notice.error');
  await error.waitFor();
  const message = await error.innerText();
  assert.match(message, /Last Three/, `the event is named: ${message}`);
  assert.doesNotMatch(message, /event \d/, message);

  const line = page.locator('.cart-line', { hasText: 'Last Three' });
  await line.getByText('Only 1 left').waitFor();
  const setTo = line.getByRole('button', { name: /Set .*to 1/ });
  assert.equal(await setTo.count(), 1, '"set to 1" is offered');
  assert.equal(await line.getByRole('button', { name: /Remove/ }).count(), 1, '"remove" is offered');
  const buy = page.getByRole('button', { name: /^Buy/ });
  assert.ok(await buy.isDisabled());
  const why = await buy.evaluate((b) => (b.getAttribute('aria-describedby') ?? '').split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
  assert.match(why, /Last Three/, `the disabled Buy says why: "${why}"`);
  assert.ok(await page.getByText(why.trim()).first().isVisible(), 'the reason is on the page');
  // Only the buyable line counts: €230 − €40.
  assert.match(await page.getByTestId('coverage').innerText(), new RegExp(`€${CREDIT - 40} left`));
  await shot(page, 'buyer-cart-sold-out');

  await setTo.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Buy 2 tickets' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Buy 2 tickets', 'the focus moves on to Buy');
  assert.equal(await error.count(), 0, 'the old error went with the fix');
  assert.match(await page.getByTestId('coverage').innerText(), new RegExp(`€${CREDIT - 55} left`));
  await page.getByRole('button', { name: 'Buy 2 tickets' }).click();
  await page.waitForURL(`${base}/my-orders`);
  await page.getByTestId('orders').waitFor();
  await page.assertClean();
});

test('errors speak to people: sign-up input, money with its currency', async (t) => {
  const page = await openPage(browser, t, { allow: [/status of 400/, /status of 409/] });
  await page.goto(`${base}/signup`);
  await page.getByLabel('Username').fill('jörg');
  await page.getByLabel('Password').fill('a-good-password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  const error = notices(page).locator('.notice.error');
  await error.waitFor();
  let text = await error.innerText();
  assert.doesNotMatch(text, /"username"|ASCII/, text);
  assert.match(text, /username/i, text);

  await page.getByLabel('Username').fill('jorg');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await error.filter({ hasText: /8 characters/ }).waitFor();

  // Not enough money: the amounts with their currency.
  const [user, password] = await newBuyer();
  await signIn(page, user, password);
  await card(page, 'Big Gala').getByRole('button', { name: /Add a ticket/ }).click();
  await page.getByTestId('cart-link').click();
  await page.getByTestId('cart-total').filter({ hasText: '€190' }).waitFor();
  await ok('POST', `/orders/${user}`, { event_id: ids.market, tickets_bought: 1 }, await login(base, user, password));
  await page.getByRole('button', { name: 'Buy 1 ticket' }).click();
  await error.waitFor();
  text = await error.innerText();
  assert.match(text, new RegExp(`Costs €190, you have €${CREDIT - 60}`), text);
  await shot(page, 'buyer-error-money');
  await page.assertClean();
});

test('search and city filters live in the URL: Back and a shared link keep them', async (t) => {
  const page = await openPage(browser, t);
  await page.goto(`${base}/`);
  await page.getByLabel('City').selectOption('Valencia');
  await page.getByLabel('Search').fill('market');
  await page.waitForURL((u) => u.searchParams.get('city') === 'Valencia' && u.searchParams.get('q') === 'market');
  assert.equal(await page.locator('article.event-card:visible').count(), 1);
  await shot(page, 'buyer-filters');
  const shared = page.url();

  await card(page, 'Night Market').getByRole('link', { name: 'Night Market' }).click();
  await page.getByRole('heading', { name: 'Night Market', level: 1 }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: 'Upcoming events' }).waitFor();
  assert.equal(await page.getByLabel('Search').inputValue(), 'market');
  assert.equal(await page.getByLabel('City').inputValue(), 'Valencia');
  assert.equal(await page.locator('article.event-card:visible').count(), 1);

  const other = await page.context().newPage();
  await other.goto(shared);
  await other.getByRole('heading', { name: 'Upcoming events' }).waitFor();
  assert.equal(await other.getByLabel('City').inputValue(), 'Valencia');
  assert.equal(await other.locator('article.event-card:visible').count(), 1);
  await other.close();
  await page.assertClean();
});

test('sign-up states the starting credit the database gives', async (t) => {
  const page = await openPage(browser, t);
  await page.goto(`${base}/signup`);
  await page.getByLabel('Username').fill('newcomer');
  await page.getByLabel('Password').fill('newcomer-password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await notices(page).filter({ hasText: `€${CREDIT}` }).waitFor();
  assert.match(await notices(page).innerText(), /start/i);
  await shot(page, 'buyer-signup-credit');
  await page.assertClean();
});

test('on a phone the sticky header is one compact row and its menu works by keyboard', async (t) => {
  const LIMIT = 72;
  const page = await openPage(browser, t, { width: 375, height: 812 });
  const height = () => page.locator('.site-header').evaluate((el) => el.getBoundingClientRect().height);
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Upcoming events' }).waitFor();
  assert.ok(await height() <= LIMIT, `anonymous: header ${await height()} px`);

  const [user, password] = await newBuyer();
  await signIn(page, user, password);
  await card(page, 'Big Gala').getByRole('button', { name: /Add a ticket/ }).click();
  await page.getByTestId('money').filter({ hasText: /in (your )?cart/ }).waitFor();
  assert.ok(await height() <= LIMIT, `buyer with a cart: header ${await height()} px`);
  await page.getByTestId('username').filter({ hasText: user }).waitFor(); // still shown, if shortened
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling');
  await shot(page, 'buyer-header-mobile');

  // The rest of the navigation is behind a menu button, reachable by keyboard.
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.focus();
  await page.keyboard.press('Enter');
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  const orders = page.getByRole('link', { name: 'My orders' });
  await orders.waitFor();
  await shot(page, 'buyer-menu-mobile');
  await page.keyboard.press('Escape');
  await orders.waitFor({ state: 'hidden' });
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  await menu.click();
  await orders.click();
  await page.getByRole('heading', { name: 'My orders' }).waitFor();
  await orders.waitFor({ state: 'hidden' });
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();

  const admin = await openPage(browser, t, { width: 375, height: 812 });
  await admin.goto(`${base}/signin`);
  await admin.getByLabel('Username').fill('admin');
  await admin.getByLabel('Password').fill('admin-password');
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.waitForURL(`${base}/admin/events`);
  await admin.getByRole('heading', { name: 'Manage events' }).waitFor();
  const adminHeight = await admin.locator('.site-header').evaluate((el) => el.getBoundingClientRect().height);
  assert.ok(adminHeight <= LIMIT, `admin: header ${adminHeight} px`);
  await page.assertClean();
  await admin.assertClean();
});

test('the session slides while the person is active, ends when idle with a clear message, and keeps the cart', async (t) => {
  const short = await startShim(DB, { env: { TOKEN_TTL: String(SHORT_TTL) } });
  t.after(() => short.stop());
  const [user, password] = await newBuyer();
  const page = await openPage(browser, t, { allow: [/status of 401/] });
  const renewals = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/token') renewals.push(r);
  });
  await signIn(page, user, password, short.base);
  await card(page, 'Quiet Strings').getByRole('button', { name: /Add a ticket/ }).click();
  await page.getByTestId('cart-link').filter({ hasText: '1' }).waitFor();
  const firstToken = await tokenOf(page);
  const first = claims(firstToken);

  // Past the middle of the token's life, the next thing the person does renews it.
  await page.waitForFunction((at) => Date.now() / 1000 > at, (first.iat + first.exp) / 2 + 1,
    { timeout: (first.exp - first.iat) * 1000 + PAGE_WAIT_MS, polling: 500 });
  const renewed = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/token');
  await page.getByRole('link', { name: 'Artists', exact: true }).click();
  assert.equal((await renewed).status(), 200);
  await page.waitForFunction((old) => JSON.parse(sessionStorage.getItem('tm.session')).token !== old, firstToken);
  const second = claims(await tokenOf(page));
  assert.ok(second.exp > first.exp, 'the new token lives longer');
  assert.equal(renewals.length, 1);

  // Idle: no renewal on a timer; at its expiry the page says so and offers to sign in again.
  const expired = notices(page).filter({ hasText: 'Your session has expired, please sign in again' });
  await expired.waitFor({ timeout: Math.max(0, second.exp * 1000 - Date.now()) + PAGE_WAIT_MS });
  assert.equal(renewals.length, 1, 'an idle page renews nothing');
  assert.equal(await tokenOf(page), null);
  await shot(page, 'buyer-session-expired');
  await page.getByRole('link', { name: 'Sign in' }).first().click();
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('money').filter({ hasText: '€' }).waitFor();
  await page.getByTestId('cart-link').filter({ hasText: '1' }).waitFor();
  await page.assertClean();
});
