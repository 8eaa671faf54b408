// What an API error means to the person using the page. The API's words are written for
// programmers ("\"username\" may contain only ASCII letters…", "token has expired" with a hint
// to get a new token, "Costs 180, available 150."); the page speaks from the error's `code`
// (docs/errors.md lists them), reading numbers from the message or detail where the code's
// sentence needs them. `eventName(id)` names an event the message gives only by number.

import { money, plural } from './format.js';

export const SESSION_EXPIRED = 'Your session has expired, please sign in again.';

const FIELDS = {
  username: 'The username', password: 'The password', name: 'The name', place: 'The place',
  city: 'The city', country: 'The country', date: 'The date', time: 'The start time', price: 'The price',
  total_available_tickets: 'The number of tickets', capacity: 'The capacity',
  max_tickets_per_account: 'The limit per person', tickets_bought: 'The number of tickets', genre: 'The genre',
};

// The first whole number after `label` in `text` ("event 4" → 4; label '' reads a leading
// number, "1 left." → 1), or null.
function numberAfter(text, label) {
  const m = new RegExp(`^.*?${label}\\s*(-?\\d+)`).exec(text ?? '');
  return m ? Number(m[1]) : null;
}

// The event an error is about: a field of the body if the API gives one, else its message.
export const errorEventId = (body) => body?.event_id ?? numberAfter(body?.message, 'event');

// How many tickets a sold_out error says are left ("1 left."), or null.
export const ticketsLeftIn = (body) => (body?.code === 'sold_out' ? numberAfter(body.detail, '') : null);

// Invalid input: the field's own name becomes words, and the rule is said plainly.
function invalidInput(message) {
  const m = /^"(\w+)" (.*)$/.exec(message ?? '');
  if (!m) return 'Some of what you entered is not valid. Please check it and try again.';
  const [, field, rule] = m;
  const subject = FIELDS[field] ?? 'A value you entered';
  if (field === 'username' && /ASCII/.test(rule)) {
    return 'A username may use only the letters a–z and A–Z (no accents), digits, and _ . - @ +';
  }
  return `${subject} ${rule.replace(/ASCII /g, '').replace(/"(\w+)"/g, (_, f) => (FIELDS[f] ?? f).toLowerCase())}.`;
}

const minutes = (seconds) => (seconds >= 90 ? plural(Math.ceil(seconds / 60), 'minute') : plural(seconds, 'second'));

// The sentence for an error body of the API (status 0: the server could not be reached).
export function explain(status, body, { eventName = () => null } = {}) {
  if (!status) return 'Cannot reach the server. Check your connection and try again.';
  const message = body?.message ?? '';
  const detail = body?.detail ?? '';
  const id = errorEventId(body);
  const event = (id !== null && eventName(id)) ? `“${eventName(id)}”` : 'this event';
  switch (body?.code) {
    case 'invalid_input': return invalidInput(message);
    case 'weak_password': return `${invalidInput(`"password" ${message.replace(/^the password /, '')}`)} Please choose another.`;
    case 'wrong_password': return 'The password is not right. Please try again.';
    case 'unauthenticated': return SESSION_EXPIRED;
    case 'forbidden': return 'Your account is not allowed to do this.';
    case 'not_found': {
      const account = /^account "(.+)" does not exist$/.exec(message);
      if (account) return `There is no account named “${account[1]}”. Check the spelling, or create an account.`;
      return /event/.test(message) ? `${event === 'this event' ? 'This event' : event} no longer exists.` : 'This no longer exists.';
    }
    case 'conflict': {
      const taken = /^username "(.+)" is taken$/.exec(message);
      if (taken) return `The username “${taken[1]}” is taken. Please choose another.`;
      break;
    }
    case 'sold_out': {
      const left = ticketsLeftIn(body);
      return left ? `Not enough tickets left for ${event}: only ${left} left.` : `${event === 'this event' ? 'This event' : event} is sold out.`;
    }
    case 'insufficient_funds': {
      const costs = numberAfter(detail, 'Costs');
      const has = numberAfter(detail, 'available');
      return costs !== null && has !== null ? `Not enough money. Costs ${money(costs)}, you have ${money(has)}.`
        : 'You do not have enough money for this.';
    }
    case 'price_changed': return `The price of ${event} changed while you were buying. Check the new price and try again.`;
    case 'limit_exceeded': {
      const max = numberAfter(message, 'at most');
      const had = numberAfter(detail, '');
      return `You can buy at most ${max ?? 'a few'} tickets for ${event}${had ? ` and you have ${had} already` : ''}.`;
    }
    case 'event_over': return `${event === 'this event' ? 'This event' : event} has started: its tickets are no longer sold.`;
    case 'not_cancellable': {
      const hours = numberAfter(message, 'within');
      if (hours !== null) return `This order can no longer be cancelled: the event starts within ${hours} hours.`;
      return 'This order can no longer be cancelled: one of its tickets was used at the door.';
    }
    case 'already_cancelled': return 'This order was cancelled already.';
    case 'too_many_attempts': {
      const wait = numberAfter(detail, 'in');
      return `Too many attempts. Please wait ${wait ? minutes(wait) : 'a while'} and try again.`;
    }
    case 'stale_version': return 'Someone changed this since you opened it. Reload the page to see the changes, then try again.';
    case 'busy':
    case 'unavailable': return 'The server is busy right now. Please try again in a moment.';
    default: break;
  }
  // A code without a sentence of its own: the API's message, as a sentence.
  if (!message || status >= 500 || ['invalid_json', 'payload_too_large', 'method_not_allowed', 'internal'].includes(body?.code)) {
    return 'Something went wrong on our side. Please try again.';
  }
  const s = message.trim();
  return s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.');
}
