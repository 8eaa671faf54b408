// One event: when and where, its line-up, and the add-to-cart control.

import { h } from '../dom.js';
import * as api from '../api.js';
import { price, date, titleCase } from '../format.js';
import { pageTitle, live, empty } from '../ui.js';
import { buyControl, stock } from './event-card.js';
import { eventPicture } from './event-picture.js';

export async function eventView(ctx) {
  let e;
  try {
    e = await api.event(ctx.params.id);
  } catch (err) {
    if (err.status !== 404 && err.status !== 400) throw err;
    return [pageTitle('Event not found'), empty('This event does not exist or was removed.', h('a', { href: '/' }, 'Back to events'))];
  }
  ctx.setTitle(e.name);

  return h('article', { class: 'event-detail', 'data-event-id': e.id },
    h('p', { class: 'crumbs' }, h('a', { href: '/' }, '← All events')),
    pageTitle(e.name),
    eventPicture(e, { hero: true }),
    h('div', { class: 'detail-grid' },
      h('dl', { class: 'facts' },
        h('dt', {}, 'Date'), h('dd', {}, h('time', { datetime: e.date }, date(e.date)), e.time ? ` at ${e.time}` : null,
          e.past ? h('span', { class: 'tag' }, 'past') : null),
        h('dt', {}, 'Place'), h('dd', {}, e.place),
        h('dt', {}, 'City'), h('dd', {}, e.city),
        e.max_tickets_per_account ? [h('dt', {}, 'Per person'), h('dd', {}, `at most ${e.max_tickets_per_account}`)] : null),
      // The price and what is left, once each, beside the control that buys.
      h('div', { class: 'detail-buy card' }, h('p', { class: 'price big' }, price(e.price)), h('p', { class: 'detail-stock' }, stock(e)),
        live(ctx, () => buyControl(e)))),
    h('h2', {}, 'Line-up'),
    e.artists?.length
      ? h('ul', { class: 'artist-list' }, e.artists.map((a) => h('li', { class: 'card artist-card' },
        h('a', { href: `/lineup/${a.id}`, class: 'artist-name' }, a.name),
        h('span', { class: 'muted' }, a.country), h('span', { class: 'tag' }, titleCase(a.genre)))))
      : empty('The line-up has not been announced yet.'));
}
