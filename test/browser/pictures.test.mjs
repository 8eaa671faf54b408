// Event pictures (issue 16 item 4): cards and the event page show the event's own image (a
// file under /static/), or a placeholder drawn from the event's name and genre; both have a
// text alternative; a missing file falls back to the placeholder; an admin sets and clears the
// path in the event form. No request ever leaves our own origin, and the CSP is never violated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase, startShim, login } from '../lib/harness.mjs';
import { launchChromium } from './chromium.mjs';
import { openPage, signIn, shot, assertOwnOrigin, apiOk } from './pages.mjs';

const ADMIN = ['admin', 'admin-password'];
let shim;
let base;
let browser;
let adminToken;
const ids = {};

const ok = (method, urlPath, body, token = adminToken) => apiOk(base, method, urlPath, body, token);

before(async () => {
  freshDatabase('tm_browser_pictures');
  shim = await startShim('tm_browser_pictures');
  base = shim.base;
  adminToken = await login(base, ...ADMIN);
  const event = async (key, fields) => {
    ids[key] = (await ok('POST', '/event', { place: 'Somewhere', city: 'Girona', price: 20, capacity: 40, ...fields })).event.id;
  };
  await event('seaside', { name: 'Seaside Sounds', date: '2030-06-01', image_url: '/static/images/seaside-festival.svg' });
  await event('rock', { name: 'Granite Rock Night', date: '2030-06-02' });
  await event('rock2', { name: 'Basalt Rock Night', date: '2030-06-03' });
  await event('bare', { name: 'Quiet Evening', date: '2030-06-04' });
  await event('missing', { name: 'Lost Poster Party', date: '2030-06-05', image_url: '/static/images/no-such-picture.svg' });
  await ok('POST', `/event/${ids.rock}/artist`, { name: 'Stone Tide', country: 'Spain', genre: 'ROCK' });
  await ok('POST', `/event/${ids.rock2}/artist`, { name: 'Lava Lamps', country: 'Iceland', genre: 'ROCK' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shim?.stop();
});

const card = (page, name) => page.locator('article.event-card', { hasText: name });
const placeholderOf = (page, name) => card(page, name).getByTestId('event-placeholder');
const stops = (pic) => pic.locator('stop').evaluateAll((s) => s.map((x) => x.getAttribute('stop-color')));

test('cards show the event image, or a placeholder from its name and genre, all from our own origin', async (t) => {
  // The missing file is asked for once (a 404), then replaced by the placeholder.
  const page = await openPage(browser, t, { allow: [/status of 404/] });
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Upcoming events' }).waitFor();

  const poster = card(page, 'Seaside Sounds').getByRole('img', { name: 'Poster of Seaside Sounds' });
  await poster.waitFor();
  assert.equal(await poster.getAttribute('src'), '/static/images/seaside-festival.svg');
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await poster.elementHandle());

  // Placeholders: an image to assistive technology, named after the event and its genre.
  const rock = placeholderOf(page, 'Granite Rock Night');
  assert.equal(await rock.getAttribute('role'), 'img');
  assert.equal(await rock.getAttribute('aria-label'), 'Picture for Granite Rock Night (Rock)');
  assert.equal(await rock.locator('text').first().textContent(), 'GR');
  assert.equal(await rock.locator('text').nth(1).textContent(), 'ROCK');
  assert.equal(await placeholderOf(page, 'Quiet Evening').getAttribute('aria-label'), 'Picture for Quiet Evening');
  assert.equal(await placeholderOf(page, 'Quiet Evening').locator('text').count(), 1, 'no genre without a line-up');
  // Two rock nights share the genre's look but not the same colours; each keeps its own.
  const granite = await stops(rock);
  const basalt = await stops(placeholderOf(page, 'Basalt Rock Night'));
  assert.notDeepEqual(granite, basalt);
  // A missing file: the placeholder takes its place.
  await placeholderOf(page, 'Lost Poster Party').waitFor();
  assert.equal(await card(page, 'Lost Poster Party').locator('img').count(), 0);
  assert.equal(await card(page, 'Quiet Evening').locator('img').count(), 0);
  await shot(page, 'pictures-cards');

  await page.reload();
  await page.getByRole('heading', { name: 'Upcoming events' }).waitFor();
  assert.deepEqual(await stops(placeholderOf(page, 'Granite Rock Night')), granite, 'the same colours on every visit');

  // The event page shows the same, larger.
  await card(page, 'Seaside Sounds').getByRole('link', { name: 'Seaside Sounds' }).click();
  const hero = page.locator('.event-pic.hero').getByRole('img', { name: 'Poster of Seaside Sounds' });
  await hero.waitFor();
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await hero.elementHandle());
  await shot(page, 'pictures-event-image');
  await page.goto(`${base}/show/${ids.rock}`);
  await page.locator('.event-pic.hero').getByRole('img', { name: 'Picture for Granite Rock Night (Rock)' }).waitFor();
  await shot(page, 'pictures-event-placeholder');

  assertOwnOrigin(page, base);
  assert.ok(page.requests.some((u) => u.endsWith('/static/images/seaside-festival.svg')), 'the image was loaded');
  await page.assertClean();
});

test('an admin sets and clears an event picture in the form; a path elsewhere is refused and never fetched', async (t) => {
  // The list asks once for the missing poster of 'Lost Poster Party' (a 404).
  const page = await openPage(browser, t, { allow: [/status of 400/, /status of 404/] });
  await signIn(page, base, ...ADMIN);
  await page.goto(`${base}/admin/events/${ids.bare}`);
  const form = page.getByRole('form', { name: 'Event details' });
  const picture = form.getByLabel('Picture', { exact: true });
  const preview = page.getByTestId('picture-preview');
  await preview.getByRole('img', { name: 'Picture for Quiet Evening' }).waitFor();

  await picture.fill('/static/images/arena-lights.svg');
  await picture.press('Tab');
  const img = preview.getByRole('img', { name: 'Poster of Quiet Evening' });
  await img.waitFor();
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  await form.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#notices').filter({ hasText: 'Saved “Quiet Evening”' }).waitFor();
  assert.equal((await ok('GET', `/event/${ids.bare}`)).event.image_url, '/static/images/arena-lights.svg');
  await shot(page, 'pictures-admin-form');

  // A picture on another site: no preview request, and the API refuses it with its reason.
  await form.getByLabel('Picture', { exact: true }).fill('https://pictures.example/quiet.png');
  await form.getByLabel('Picture', { exact: true }).press('Tab');
  await preview.getByRole('img', { name: 'Picture for Quiet Evening' }).waitFor();
  await form.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#notices .notice.error').filter({ hasText: '/static/' }).waitFor();
  assert.equal((await ok('GET', `/event/${ids.bare}`)).event.image_url, '/static/images/arena-lights.svg');

  // "No picture" empties the field; saved, the event goes back to its placeholder.
  await form.getByRole('button', { name: 'No picture' }).click();
  assert.equal(await form.getByLabel('Picture', { exact: true }).inputValue(), '');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#notices').filter({ hasText: 'Saved “Quiet Evening”' }).waitFor();
  assert.equal((await ok('GET', `/event/${ids.bare}`)).event.image_url, null);
  await page.goto(`${base}/`);
  await placeholderOf(page, 'Quiet Evening').waitFor();

  assertOwnOrigin(page, base);
  await page.assertClean();
});
