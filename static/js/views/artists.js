// The line-up: every artist, filterable, and one artist's page with their events.

import { h, field } from '../dom.js';
import * as api from '../api.js';
import { titleCase, GENRES } from '../format.js';
import { pageTitle, empty } from '../ui.js';
import { isAdmin } from '../state.js';
import { eventCard } from './event-card.js';

export async function artistsView() {
  const artists = (await api.artists()).sort((a, b) => a.name.localeCompare(b.name));
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Artist or country', autocomplete: 'off' });
  const genre = h('select', { name: 'genre' }, h('option', { value: '' }, 'All genres'),
    GENRES.map((g) => h('option', { value: g }, titleCase(g))));
  const items = artists.map((a) => [a, h('li', { class: 'card artist-card' },
    h('a', { href: `/lineup/${a.id}`, class: 'artist-name' }, a.name),
    h('span', { class: 'muted' }, a.country), h('span', { class: 'tag' }, titleCase(a.genre)))]);
  const none = empty('No artists match your search.');
  const apply = () => {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const [a, li] of items) {
      li.hidden = !((!q || `${a.name} ${a.country}`.toLowerCase().includes(q)) && (!genre.value || a.genre === genre.value));
      if (!li.hidden) shown++;
    }
    none.hidden = shown > 0;
  };
  search.addEventListener('input', apply);
  genre.addEventListener('change', apply);
  apply();

  return [
    pageTitle('Artists', isAdmin() ? h('a', { class: 'btn', href: '/admin/artists' }, 'Manage artists') : null),
    artists.length
      ? [h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() }, field('Search', search), field('Genre', genre)),
        h('ul', { class: 'artist-list', 'data-testid': 'artists' }, items.map(([, li]) => li)), none]
      : empty('No artists yet.'),
  ];
}

export async function artistView(ctx) {
  let a;
  try {
    a = await api.artist(ctx.params.id);
  } catch (err) {
    if (err.status !== 404 && err.status !== 400) throw err;
    return [pageTitle('Artist not found'), empty('This artist does not exist.', h('a', { href: '/lineup' }, 'All artists'))];
  }
  ctx.setTitle(a.name);
  const [events, all] = await Promise.all([api.artistEvents(a.id), api.events()]);
  const eventsById = new Map(all.map((e) => [e.id, e]));
  return [
    h('p', { class: 'crumbs' }, h('a', { href: '/lineup' }, '← All artists')),
    pageTitle(a.name),
    h('p', { class: 'lead' }, h('span', { class: 'tag' }, titleCase(a.genre)), ' ', a.country),
    h('h2', {}, 'Events'),
    events.length
      ? h('div', { class: 'grid' }, events.map((e) => eventCard(eventsById.get(e.id) ?? e, ctx, eventsById)))
      : empty('No upcoming events for this artist.'),
  ];
}
