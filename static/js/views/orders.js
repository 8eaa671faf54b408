// The signed-in user's purchases, newest first.

import { h } from '../dom.js';
import * as api from '../api.js';
import { money, date } from '../format.js';
import { getSession } from '../state.js';
import { pageTitle, empty } from '../ui.js';

const NUMERIC = new Set(['Tickets', 'Price', 'Total']);

export async function ordersView() {
  const orders = (await api.orders(getSession().username)).sort((a, b) => b.id - a.id);
  if (!orders.length) {
    return [pageTitle('My orders'), empty('You have not bought any tickets yet.', h('a', { href: '/', class: 'btn' }, 'Browse events'))];
  }
  const spent = orders.reduce((s, o) => s + o.price * o.tickets_bought, 0);
  return [
    pageTitle('My orders'),
    h('p', { class: 'muted' }, `${orders.length} orders · ${money(spent)} spent`),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-testid': 'orders' },
      h('caption', { class: 'sr-only' }, 'Your orders'),
      h('thead', {}, h('tr', {}, ['Order', 'Event', 'Date', 'City', 'Tickets', 'Price', 'Total'].map((t) => h('th', { scope: 'col', class: NUMERIC.has(t) ? 'num' : null }, t)))),
      h('tbody', {}, orders.map((o) => h('tr', { 'data-order-id': o.id },
        h('td', { 'data-label': 'Order' }, `#${o.id}`),
        h('th', { scope: 'row', 'data-label': 'Event' }, h('a', { href: `/show/${o.event_id ?? o.id_event}` }, o.event_name)),
        h('td', { 'data-label': 'Date' }, date(o.event_date)),
        h('td', { 'data-label': 'City' }, o.event_city),
        h('td', { 'data-label': 'Tickets', class: 'num' }, String(o.tickets_bought)),
        h('td', { 'data-label': 'Price', class: 'num' }, money(o.price)),
        h('td', { 'data-label': 'Total', class: 'num' }, money(o.price * o.tickets_bought))))))),
  ];
}
