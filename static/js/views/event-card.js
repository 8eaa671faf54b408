// An event as a card (list pages) and the add-to-cart control it shares with the detail page.

import { h } from '../dom.js';
import { price, date, plural } from '../format.js';
import { isSignedIn, isAdmin, isStaff, getAccount, cartQty, cartTotal, addToCart } from '../state.js';
import { notify, live } from '../ui.js';
import { eventPicture } from './event-picture.js';

export const ticketsLeft = (e) => Number(e.total_available_tickets) || 0;

// How many are left, or "Sold out": said once per card or page (the buy control says nothing
// more about a sold-out event).
export function stock(e) {
  const left = ticketsLeft(e);
  if (left === 0) return h('span', { class: 'stock sold-out-label' }, 'Sold out');
  return h('span', { class: ['stock', left <= 10 && 'low'] }, `${plural(left, 'ticket')} left`);
}

// Presentation only: the API decides. Disabled when nothing is left beyond what is already in
// the cart, or when the money left after the cart does not cover one more ticket. A sold-out
// event has no button: its stock already says so.
export function buyControl(e) {
  if (isAdmin()) return h('a', { class: 'btn secondary', href: `/admin/events/${e.id}` }, 'Edit event');
  if (e.past) return h('button', { type: 'button', class: 'btn', disabled: true }, 'Event over');
  if (isStaff()) return null;
  const inCart = isSignedIn() ? cartQty(e.id) : 0;
  const cartLink = inCart ? h('a', { href: '/cart', class: 'in-cart' }, `${inCart} in cart`) : null;
  if (ticketsLeft(e) === 0) return cartLink;
  if (!isSignedIn()) return h('a', { class: 'btn secondary', href: '/signin' }, 'Sign in to buy');

  const left = ticketsLeft(e) - inCart;
  const acct = getAccount();
  const spare = acct ? acct.available_money - cartTotal() : Infinity;
  let label = 'Add to cart';
  let reason = null;
  if (left <= 0) { label = 'All left are in your cart'; reason = 'no more left'; }
  else if (e.max_tickets_per_account && inCart >= e.max_tickets_per_account) { label = `At most ${e.max_tickets_per_account} per person`; reason = 'limit'; }
  else if (spare < e.price) { label = 'Not enough money'; reason = 'not enough money'; }

  const button = h('button', {
    type: 'button',
    class: 'btn',
    disabled: reason !== null,
    dataset: { key: `add-${e.id}` },
    'aria-label': reason ? `${label}: ${e.name}` : `Add a ticket for ${e.name} to the cart`,
    onclick: () => {
      addToCart(e.id);
      notify(`Added a ticket for “${e.name}” to your cart.`);
    },
  }, label);
  return h('div', { class: 'buy' }, button, cartLink);
}

export function eventCard(e, ctx) {
  const soldOut = ticketsLeft(e) === 0;
  const names = (e.artists ?? []).map((a) => a.name);
  return h('article', { class: ['card', 'event-card', soldOut && 'sold-out'], 'data-event-id': e.id, 'aria-labelledby': `ev-${e.id}` },
    eventPicture(e),
    h('div', { class: 'card-top' },
      h('time', { class: 'date', datetime: e.time ? `${e.date}T${e.time}` : e.date }, date(e.date), e.time ? ` · ${e.time}` : null),
      h('span', { class: 'price' }, price(e.price))),
    h('h2', { class: 'card-title', id: `ev-${e.id}` }, h('a', { href: `/show/${e.id}` }, e.name)),
    h('p', { class: 'artists' }, names.length ? names.join(' · ') : h('span', { class: 'muted' }, 'Line-up to be announced')),
    h('p', { class: 'where' }, h('span', {}, e.place), h('span', { class: 'city' }, e.city)),
    h('div', { class: 'card-foot' }, stock(e), live(ctx, () => buyControl(e))));
}
