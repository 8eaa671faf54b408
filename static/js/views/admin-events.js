// Admin: every event in a table, with links to edit and a confirmed delete.

import { h } from '../dom.js';
import * as api from '../api.js';
import { money, date, plural } from '../format.js';
import { pageTitle, empty, confirmAction, notify, notifyError, busy } from '../ui.js';
import { reload } from '../router.js';

const NUMERIC = new Set(['Price', 'Sold', 'Left']);

export async function adminEventsView() {
  const events = (await api.events()).sort((a, b) => String(a.date).localeCompare(String(b.date)));

  async function remove(e, button) {
    const ok = await confirmAction(`Cancel “${e.name}” (${date(e.date)}, ${e.city})? Every order for it is refunded; the orders stay in their buyers' histories.`, { title: 'Delete event?' });
    if (!ok) return;
    await busy(button, async () => {
      await api.deleteEvent(e.id);
      await reload();
      notify(`Deleted “${e.name}”; its orders were refunded.`);
    }).catch(notifyError);
  }

  const head = pageTitle('Manage events', h('a', { class: 'btn', href: '/admin/events/new' }, 'New event'));
  if (!events.length) return [head, empty('No events yet.', h('a', { href: '/admin/events/new' }, 'Create the first one'))];
  return [head,
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-testid': 'admin-events' },
      h('caption', { class: 'sr-only' }, 'Events'),
      h('thead', {}, h('tr', {}, ['Event', 'Date', 'Place', 'Price', 'Sold', 'Left', 'Artists', ''].map((t) => h('th', { scope: 'col', class: NUMERIC.has(t) ? 'num' : null }, t)))),
      h('tbody', {}, events.map((e) => {
        const del = h('button', { type: 'button', class: 'btn small danger', 'aria-label': `Delete ${e.name}` }, 'Delete');
        del.addEventListener('click', () => remove(e, del));
        return h('tr', { 'data-event-id': e.id },
          h('th', { scope: 'row', 'data-label': 'Event' }, h('a', { href: `/show/${e.id}` }, e.name)),
          h('td', { 'data-label': 'Date' }, date(e.date), e.time ? ` ${e.time}` : null, e.past ? h('span', { class: 'tag' }, 'past') : null),
          h('td', { 'data-label': 'Place' }, `${e.place}, ${e.city}`),
          h('td', { 'data-label': 'Price', class: 'num' }, money(e.price)),
          h('td', { 'data-label': 'Sold', class: 'num' }, `${e.capacity - e.total_available_tickets} / ${e.capacity}`),
          h('td', { 'data-label': 'Left', class: 'num' }, String(e.total_available_tickets)),
          h('td', { 'data-label': 'Artists' }, plural(e.artists?.length ?? 0, 'artist')),
          h('td', { class: 'row-actions' },
            h('a', { class: 'btn small secondary', href: `/admin/events/${e.id}`, 'aria-label': `Edit ${e.name}` }, 'Edit'), del));
      })))),
  ];
}
