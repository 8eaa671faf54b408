// The cart: quantities, total, whether the balance covers it, and Buy, which sends the whole
// cart as one request with a fresh Idempotency-Key per click. On failure the cart stays.

import { h } from '../dom.js';
import * as api from '../api.js';
import { money, date, plural } from '../format.js';
import { getSession, getAccount, getCart, setQty, removeFromCart, clearCart } from '../state.js';
import { refreshAccount } from '../account.js';
import { navigate } from '../router.js';
import { pageTitle, empty, live, notifyError } from '../ui.js';
import { cartTotal, ticketsLeft } from './event-card.js';

export async function cartView(ctx) {
  let eventsById = new Map((await api.events()).map((e) => [e.id, e]));
  let buying = false;

  async function buy() {
    const lines = getCart().filter((l) => eventsById.has(l.event_id));
    const key = api.newKey(); // one per click; api.buy reuses it on retries
    buying = true;
    draw();
    try {
      const orders = await api.buy(getSession().username, lines, key);
      const tickets = orders.reduce((n, o) => n + Number(o.tickets_bought), 0);
      clearCart();
      await refreshAccount();
      navigate('/my-orders', { state: { flash: `Purchase complete: ${plural(tickets, 'ticket')}. Enjoy the show!` } });
    } catch (err) {
      notifyError(err);
      // Someone else may have bought the last tickets or the balance changed: show fresh numbers.
      const [events] = await Promise.all([api.events().catch(() => null), refreshAccount()]);
      if (events) eventsById = new Map(events.map((e) => [e.id, e]));
      buying = false;
      draw();
    }
  }

  function line(l) {
    const e = eventsById.get(l.event_id);
    if (!e) {
      return h('li', { class: 'cart-line gone' },
        h('div', { class: 'line-info' }, h('strong', {}, 'This event is no longer available')),
        h('button', { type: 'button', class: 'btn small ghost', dataset: { key: `rm-${l.event_id}` }, onclick: () => removeFromCart(l.event_id) }, 'Remove'));
    }
    const left = ticketsLeft(e);
    return h('li', { class: 'cart-line', 'data-event-id': e.id },
      h('div', { class: 'line-info' },
        h('a', { href: `/show/${e.id}`, class: 'line-name' }, e.name),
        h('span', { class: 'muted' }, `${date(e.date)} · ${e.city} · ${money(e.price)} each`),
        l.qty > left ? h('span', { class: 'warn' }, left === 0 ? 'Sold out' : `Only ${left} left`) : null),
      h('div', { class: 'qty', role: 'group', 'aria-label': `Tickets for ${e.name}` },
        h('button', { type: 'button', class: 'btn icon secondary', 'aria-label': `One ticket fewer for ${e.name}`, dataset: { key: `dec-${e.id}` },
          disabled: buying || l.qty <= 1, onclick: () => setQty(e.id, l.qty - 1) }, '−'),
        h('output', { class: 'qty-n', 'aria-live': 'polite' }, String(l.qty)),
        h('button', { type: 'button', class: 'btn icon secondary', 'aria-label': `One more ticket for ${e.name}`, dataset: { key: `inc-${e.id}` },
          disabled: buying || l.qty >= left, onclick: () => setQty(e.id, l.qty + 1) }, '+')),
      h('span', { class: 'line-total' }, money(e.price * l.qty)),
      h('button', { type: 'button', class: 'btn small ghost', dataset: { key: `rm-${e.id}` }, disabled: buying,
        'aria-label': `Remove ${e.name} from the cart`, onclick: () => removeFromCart(e.id) }, 'Remove'));
  }

  function summary() {
    const cart = getCart();
    const total = cartTotal(eventsById);
    const acct = getAccount();
    const covered = !acct || acct.available_money >= total;
    const problems = cart.some((l) => !eventsById.has(l.event_id) || l.qty > ticketsLeft(eventsById.get(l.event_id)));
    return h('div', { class: 'card summary' },
      h('div', { class: 'sum-row' }, h('span', {}, 'Total'), h('strong', { 'data-testid': 'cart-total' }, money(total))),
      acct ? h('div', { class: 'sum-row' }, h('span', {}, 'Your balance'), h('span', {}, money(acct.available_money))) : null,
      acct ? h('p', { class: covered ? 'ok' : 'warn', 'data-testid': 'coverage' },
        covered ? `You will have ${money(acct.available_money - total)} left.` : `You need ${money(total - acct.available_money)} more.`) : null,
      h('button', { type: 'button', class: 'btn wide', dataset: { key: 'buy' }, disabled: buying || !covered || problems, 'aria-busy': buying ? 'true' : null,
        onclick: buy }, buying ? 'Buying…' : `Buy ${plural(cart.reduce((n, l) => n + l.qty, 0), 'ticket')}`));
  }

  let region = null;
  const draw = () => region?.redraw();
  function render() {
    const cart = getCart();
    if (!cart.length) return empty('Your cart is empty.', h('a', { href: '/', class: 'btn' }, 'Browse events'));
    return h('div', { class: 'cart-layout' }, h('ul', { class: 'cart-lines', 'data-testid': 'cart-lines' }, cart.map(line)), summary());
  }

  await refreshAccount();
  region = live(ctx, render);
  return [pageTitle('Your cart'), region];
}
