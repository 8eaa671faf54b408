// The admin event form's walkthrough defects (issue 16): adding or removing a line-up artist
// keeps what the admin typed and has not saved; leaving with unsaved changes (a link, Back,
// signing out, a reload) asks first; the form shows the capacity and what is sold, not only
// what is left; a save refused as stale keeps the typing. (The picture: pictures.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase, startShim, login } from '../lib/harness.mjs';
import { launchChromium } from './chromium.mjs';
import { openPage, signIn, shot, apiOk } from './pages.mjs';

const ADMIN = ['admin', 'admin-password'];
let shim;
let base;
let browser;
let adminToken;
let eventId;
let buyer;

const ok = (method, urlPath, body, token = adminToken) => apiOk(base, method, urlPath, body, token);

before(async () => {
  freshDatabase('tm_browser_admin');
  shim = await startShim('tm_browser_admin');
  base = shim.base;
  adminToken = await login(base, ...ADMIN);
  eventId = (await ok('POST', '/event', { name: 'Harbour Nights', place: 'Moll de la Fusta', city: 'Barcelona',
    date: '2030-07-10', price: 30, capacity: 50 })).event.id;
  await ok('POST', '/artist', { name: 'Nova Lights', country: 'Iceland', genre: 'ELECTRONIC' });
  await ok('POST', '/artist', { name: 'Fjord Echo', country: 'Norway', genre: 'INDIE' });
  await ok('POST', '/account', { username: 'sailor', password: 'sailor-password' }, null);
  buyer = await login(base, 'sailor', 'sailor-password');
  await ok('POST', '/orders/sailor', { event_id: eventId, tickets_bought: 3 }, buyer);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shim?.stop();
});

async function openForm(t, opts) {
  const page = await openPage(browser, t, opts);
  await signIn(page, base, ...ADMIN);
  await page.goto(`${base}/admin/events/${eventId}`);
  await page.getByRole('heading', { name: 'Edit: Harbour Nights' }).waitFor();
  return page;
}

const details = (page) => page.getByRole('form', { name: 'Event details' });
const lineupForm = (page) => page.getByRole('form', { name: 'Add an artist' });
const leaveDialog = (page) => page.getByRole('dialog', { name: 'Leave without saving?' });

test('the form shows the capacity and how many are sold, not only what is left', async (t) => {
  const page = await openForm(t);
  const stock = page.getByTestId('event-stock');
  await stock.waitFor();
  const figures = Object.fromEntries(await stock.locator('div').evaluateAll((rows) =>
    rows.map((r) => [r.querySelector('dt').textContent.trim(), r.querySelector('dd').textContent.trim()])));
  const e = (await ok('GET', `/event/${eventId}`)).event;
  assert.deepEqual(figures, { Capacity: String(e.capacity), Sold: String(e.capacity - e.total_available_tickets),
    Left: String(e.total_available_tickets) });
  assert.deepEqual(figures, { Capacity: '50', Sold: '3', Left: '47' });
  // What the new capacity would leave, before saving it.
  await details(page).getByLabel('Total tickets').fill('60');
  await stock.filter({ hasText: '57 left after saving' }).waitFor();
  await page.assertClean();
});

test('adding and removing a line-up artist keeps the unsaved edits of the event', async (t) => {
  const page = await openForm(t);
  await details(page).getByLabel('Price (€)').fill('35');
  await details(page).getByLabel('City').fill('Badalona');

  await lineupForm(page).getByLabel('Choose an artist').selectOption({ label: 'Nova Lights (Iceland, Electronic)' });
  await lineupForm(page).getByRole('button', { name: 'Add to line-up' }).click();
  await page.getByTestId('event-artists').filter({ hasText: 'Nova Lights' }).waitFor();
  assert.deepEqual((await ok('GET', `/event/${eventId}`)).event.artists.map((a) => a.name), ['Nova Lights']);
  assert.equal(await details(page).getByLabel('Price (€)').inputValue(), '35', 'the typed price is kept');
  assert.equal(await details(page).getByLabel('City').inputValue(), 'Badalona', 'the typed city is kept');

  // A brand-new artist typed in, then removed again: the edits are still there.
  await lineupForm(page).getByLabel('New artist').check();
  await lineupForm(page).getByLabel('Artist name').fill('Salt Choir');
  await lineupForm(page).getByLabel('Country').fill('Portugal');
  await lineupForm(page).getByRole('button', { name: 'Add to line-up' }).click();
  await page.getByTestId('event-artists').filter({ hasText: 'Salt Choir' }).waitFor();
  await page.getByRole('button', { name: 'Remove Salt Choir from this event' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('button', { name: 'Remove Salt Choir from this event' }).waitFor({ state: 'detached' });
  assert.equal(await details(page).getByLabel('Price (€)').inputValue(), '35');
  assert.equal(await details(page).getByLabel('City').inputValue(), 'Badalona');

  // Saving the kept edits works: the admin's own artist changes, which moved the event's
  // version, did not make the form's copy stale.
  await details(page).getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#notices').filter({ hasText: 'Saved “Harbour Nights”' }).waitFor();
  const e = (await ok('GET', `/event/${eventId}`)).event;
  assert.equal(e.price, 35);
  assert.equal(e.city, 'Badalona');
  assert.deepEqual(e.artists.map((a) => a.name), ['Nova Lights']);
  await page.assertClean();
});

test('leaving the form with unsaved changes by a link, Back or signing out asks first', async (t) => {
  const page = await openForm(t);
  // Nothing typed: a link just leaves.
  await page.getByRole('link', { name: 'Manage events' }).first().click();
  await page.waitForURL(`${base}/admin/events`);
  // Back to the form inside the app, so that Back below is the app's own history step.
  await page.getByRole('link', { name: 'Edit Harbour Nights' }).click();
  await page.getByRole('heading', { name: 'Edit: Harbour Nights' }).waitFor();
  await details(page).getByLabel('Place').fill('Port Vell');

  // A link: cancel stays with the typing; confirming leaves.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Artists', exact: true }).click();
  await leaveDialog(page).waitFor();
  await shot(page, 'admin-event-leave-warning');
  await leaveDialog(page).getByRole('button', { name: 'Keep editing' }).click();
  await leaveDialog(page).waitFor({ state: 'hidden' });
  assert.equal(new URL(page.url()).pathname, `/admin/events/${eventId}`);
  assert.equal(await details(page).getByLabel('Place').inputValue(), 'Port Vell');

  // Back: the same question; cancel keeps the page and the typing.
  await page.goBack();
  await leaveDialog(page).waitFor();
  await leaveDialog(page).getByRole('button', { name: 'Keep editing' }).click();
  await leaveDialog(page).waitFor({ state: 'hidden' });
  assert.equal(new URL(page.url()).pathname, `/admin/events/${eventId}`);
  assert.equal(await details(page).getByLabel('Place').inputValue(), 'Port Vell');

  // Signing out leaves the form too.
  await page.getByRole('button', { name: 'Log out' }).click();
  await leaveDialog(page).waitFor();
  await leaveDialog(page).getByRole('button', { name: 'Keep editing' }).click();
  await leaveDialog(page).waitFor({ state: 'hidden' });
  assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 1, 'still signed in');
  assert.equal(await details(page).getByLabel('Place').inputValue(), 'Port Vell');

  await page.getByRole('link', { name: '← Manage events' }).click();
  await leaveDialog(page).waitFor();
  await leaveDialog(page).getByRole('button', { name: 'Discard changes' }).click();
  await page.getByRole('heading', { name: 'Manage events' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/admin/events');
  assert.equal((await ok('GET', `/event/${eventId}`)).event.place, 'Moll de la Fusta', 'nothing was saved');

  // After a save the form is clean again: leaving does not ask.
  await page.goto(`${base}/admin/events/${eventId}`);
  await details(page).getByLabel('Place').fill('Moll de la Fusta 2');
  await details(page).getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#notices').filter({ hasText: 'Saved' }).waitFor();
  await page.getByRole('link', { name: '← Manage events' }).click();
  await page.getByRole('heading', { name: 'Manage events' }).waitFor();
  await page.assertClean();
});

test('reloading or closing the form with unsaved changes asks the browser to confirm', async (t) => {
  const page = await openForm(t);
  // Chromium asks only on a page the person has interacted with: a real click, then typing.
  await details(page).getByLabel('Name').click();
  await page.keyboard.type(' 2');
  const dialog = page.waitForEvent('dialog');
  const reloading = page.reload().catch(() => {});
  const asked = await dialog;
  assert.equal(asked.type(), 'beforeunload');
  await asked.dismiss();
  assert.equal(await details(page).getByLabel('Name').inputValue(), 'Harbour Nights 2', 'still on the page, typing kept');
  void reloading;
  await page.assertClean();
});

test('a save refused because the event changed meanwhile keeps the typing, on the event as it is now', async (t) => {
  const page = await openForm(t, { allow: [/status of 412/] });
  const before = (await ok('GET', `/event/${eventId}`)).event;
  await details(page).getByLabel('Price (€)').fill(String(before.price + 3));

  // Meanwhile a ticket sells and another admin edits the place (through the API).
  await ok('POST', '/orders/sailor', { event_id: eventId, tickets_bought: 1 }, buyer);
  const { name, city, date, price, capacity } = (await ok('GET', `/event/${eventId}`)).event;
  await ok('PUT', `/event/${eventId}`, { name, city, date, price, capacity, place: 'Port Olímpic' });
  const now = (await ok('GET', `/event/${eventId}`)).event;

  await details(page).getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#notices').filter({ hasText: 'changed while you were editing' }).waitFor();
  assert.equal((await ok('GET', `/event/${eventId}`)).event.price, before.price, 'nothing saved');
  // The form: the other admin's place, the new stock, and this admin's price still typed.
  assert.equal(await details(page).getByLabel('Price (€)').inputValue(), String(before.price + 3));
  assert.equal(await details(page).getByLabel('Place').inputValue(), 'Port Olímpic');
  await page.getByTestId('event-stock').filter({ hasText: new RegExp(`Sold\\s*${now.capacity - now.total_available_tickets}\\s*Left`) }).waitFor();

  await details(page).getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#notices').filter({ hasText: 'Saved “Harbour Nights”' }).waitFor();
  const saved = (await ok('GET', `/event/${eventId}`)).event;
  assert.deepEqual([saved.price, saved.place, saved.total_available_tickets], [before.price + 3, 'Port Olímpic', now.total_available_tickets]);
  await page.assertClean();
});
