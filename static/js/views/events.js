// The home page: upcoming events as cards, filtered on the page by name (or artist, place) and
// city; past events (no longer sold) listed apart below them. The filters live in the query
// string (?q=…&city=…), replaced as they change: a shared link, a reload and Back keep them.

import { h, field } from '../dom.js';
import { date, plural } from '../format.js';
import * as api from '../api.js';
import { pageTitle, empty } from '../ui.js';
import { isAdmin } from '../state.js';
import { eventCard } from './event-card.js';

const byDate = (a, b) => String(a.date).localeCompare(String(b.date)) || a.name.localeCompare(b.name);

function pastList(past) {
  if (!past.length) return null;
  return h('section', { class: 'past', 'aria-labelledby': 'past-h', 'data-testid': 'past-events' },
    h('h2', { id: 'past-h' }, 'Past events'),
    h('ul', { class: 'past-list' }, past.map((e) => h('li', { 'data-event-id': e.id },
      h('a', { href: `/show/${e.id}` }, e.name), h('span', { class: 'muted' }, ` · ${date(e.date)} · ${e.city}`)))));
}

export async function eventsView(ctx) {
  const all = await api.events('all');
  const events = all.filter((e) => !e.past).sort(byDate);
  const past = all.filter((e) => e.past).sort((a, b) => byDate(b, a));
  const cards = new Map(events.map((e) => [e, eventCard(e, ctx)]));

  const query = new URLSearchParams(location.search);
  const wanted = query.get('city') ?? '';
  const cities = [...new Set(events.map((e) => e.city))].sort((a, b) => a.localeCompare(b));
  // A shared link may name a city without events now: keep it chosen (it shows none).
  if (wanted && !cities.includes(wanted)) cities.push(wanted);
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Event, artist or place', autocomplete: 'off', value: query.get('q') ?? '' });
  const city = h('select', { name: 'city' }, h('option', { value: '' }, 'All cities'),
    cities.map((c) => h('option', { value: c, selected: c === wanted }, c)));
  const count = h('p', { class: 'muted count', 'aria-live': 'polite' });
  const grid = h('div', { class: 'grid', 'data-testid': 'events' });
  const none = empty('No events match your search.');

  function apply() {
    const q = search.value.trim().toLowerCase();
    const c = city.value;
    let shown = 0;
    for (const [e, card] of cards) {
      const text = [e.name, e.place, e.city, ...(e.artists ?? []).map((a) => a.name)].join(' ').toLowerCase();
      const visible = (!q || text.includes(q)) && (!c || e.city === c);
      card.hidden = !visible;
      if (visible) shown++;
    }
    count.textContent = shown === events.length ? `Showing ${plural(shown, 'event')}` : `Showing ${shown} of ${plural(events.length, 'event')}`;
    none.hidden = shown > 0 || events.length === 0;
  }
  // Into the URL, replacing this history entry: typing is not a step Back has to undo.
  function remember() {
    const params = new URLSearchParams(location.search);
    for (const [key, el] of [['q', search], ['city', city]]) {
      if (el.value.trim()) params.set(key, el.value.trim()); else params.delete(key);
    }
    const qs = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${qs ? `?${qs}` : ''}`);
  }
  search.addEventListener('input', () => { apply(); remember(); });
  city.addEventListener('change', () => { apply(); remember(); });

  grid.append(...cards.values());
  apply();

  const filters = h('form', { class: 'filters', role: 'search', onsubmit: (ev) => ev.preventDefault() },
    field('Search', search), field('City', city));

  return [
    pageTitle('Upcoming events', isAdmin() ? h('a', { class: 'btn', href: '/admin/events/new' }, 'New event') : null),
    events.length ? [filters, count, grid, none] : empty('No events on sale yet. Check back soon!'),
    pastList(past),
  ];
}
