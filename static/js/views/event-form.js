// Admin: create or edit an event, and manage its line-up (link an existing artist or a new one).

import { h, field, formValues, mount } from '../dom.js';
import * as api from '../api.js';
import { titleCase, GENRES } from '../format.js';
import { pageTitle, empty, confirmAction, notify, notifyError, busy } from '../ui.js';
import { navigate, reload, guardLeave } from '../router.js';
import { eventPicture, validImagePath } from './event-picture.js';

const input = (name, attrs = {}) => h('input', { name, required: true, ...attrs });

// Optional fields: empty means none (JSON null), so that clearing one clears it.
const optional = (v) => (v === '' || v === undefined ? null : v);

// Capacity, sold and left as figures, and what a changed capacity would leave.
function stockFigures(e, capacityInput) {
  const sold = e.capacity - e.total_available_tickets;
  const after = h('p', { class: 'hint', 'aria-live': 'polite' });
  const update = () => {
    const cap = capacityInput.value === '' ? NaN : Number(capacityInput.value);
    after.textContent = Number.isInteger(cap) && cap !== e.capacity && cap >= sold
      ? `${cap - sold} left after saving the new capacity.` : '';
  };
  capacityInput.addEventListener('input', update);
  const row = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, String(value)));
  return h('div', { class: 'stock-figures', 'data-testid': 'event-stock' },
    h('dl', {}, row('Capacity', e.capacity), row('Sold', sold), row('Left', e.total_available_tickets)), after);
}

// The picture's path, with a preview of what cards will show (the placeholder when empty).
function pictureField(e) {
  const control = h('input', { name: 'image_url', maxlength: 200, value: e?.image_url ?? '', placeholder: '/static/images/…',
    inputmode: 'url', autocomplete: 'off', spellcheck: 'false' });
  const preview = h('div', { class: 'pic-preview', 'data-testid': 'picture-preview' });
  const name = () => control.form?.elements.name.value.trim() || e?.name || 'New event';
  const draw = () => {
    const path = control.value.trim();
    preview.replaceChildren(eventPicture({ ...(e ?? {}), name: name(), image_url: validImagePath(path) ? path : null }));
  };
  control.addEventListener('change', draw);
  const clear = h('button', { type: 'button', class: 'btn small ghost' }, 'No picture');
  clear.addEventListener('click', () => {
    control.value = '';
    draw();
    control.focus();
  });
  draw();
  return h('div', { class: 'picture-field' },
    field('Picture', control, 'Optional: a file under /static/, e.g. /static/images/seaside-festival.svg. Empty: a picture made from the name and genre.'),
    h('div', { class: 'actions start' }, clear), preview);
}

function eventForm(e, onSave) {
  const submit = h('button', { type: 'submit', class: 'btn' }, e ? 'Save changes' : 'Create event');
  const sold = e ? e.capacity - e.total_available_tickets : 0;
  // Capacity, not what is left: tickets sold while the form is open stay sold.
  const capacity = input('capacity', { type: 'number', min: sold, step: 1, inputmode: 'numeric', value: e?.capacity ?? '' });
  const form = h('form', { class: 'card form', 'aria-label': 'Event details' },
    e ? stockFigures(e, capacity) : null,
    h('div', { class: 'form-grid' },
      field('Name', input('name', { maxlength: 30, value: e?.name ?? '' })),
      field('Date', input('date', { type: 'date', value: e?.date ?? '' })),
      field('Place', input('place', { maxlength: 100, value: e?.place ?? '' })),
      field('City', input('city', { maxlength: 100, value: e?.city ?? '' })),
      field('Price (€)', input('price', { type: 'number', min: 0, step: 1, inputmode: 'numeric', value: e?.price ?? '' })),
      field('Start time', h('input', { name: 'time', type: 'time', value: e?.time ?? '' }), 'Optional.'),
      field('Total tickets', capacity, e ? `The capacity: at least the ${sold} sold.` : 'The capacity: tickets on sale in total.'),
      field('Tickets per person', h('input', { name: 'max_tickets_per_account', type: 'number', min: 1, step: 1, inputmode: 'numeric', value: e?.max_tickets_per_account ?? '' }), 'Optional; empty for no limit.')),
    pictureField(e),
    h('div', { class: 'actions' }, h('a', { class: 'btn ghost', href: '/admin/events' }, 'Cancel'), submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    busy(submit, () => onSave({ ...v, time: optional(v.time), max_tickets_per_account: optional(v.max_tickets_per_account),
      image_url: optional(v.image_url) })).catch(notifyError);
  });
  return form;
}

// Typing is never lost by accident: while the form differs from what was loaded (or saved),
// leaving it by a link or Back asks first, and so does the browser on a reload or close.
function protectUnsaved(ctx, form) {
  const initial = JSON.stringify(formValues(form));
  const unsaved = () => form.isConnected && JSON.stringify(formValues(form)) !== initial;
  ctx.cleanup(guardLeave(async () => !unsaved() || confirmAction('Your changes to this event are not saved yet.',
    { title: 'Leave without saving?', ok: 'Discard changes', cancel: 'Keep editing' })));
  const beforeUnload = (ev) => {
    if (!unsaved()) return;
    ev.preventDefault();
    ev.returnValue = ''; // what older Chromium needs to ask
  };
  addEventListener('beforeunload', beforeUnload);
  ctx.cleanup(() => removeEventListener('beforeunload', beforeUnload));
}

// The line-up, redrawn in place after each change: the event form beside it keeps what the
// admin typed. A line-up change is a change of the event (its version moves on); onChange
// gets the event's version after it, so that a later save of those edits is not refused as
// stale for this admin's own change.
function lineup(event, allArtists, onChange) {
  const section = h('section', { class: 'lineup-admin', 'aria-labelledby': 'lineup-h' });
  const mode = { value: null }; // 'existing' or 'new', kept across redraws

  async function changed(message) {
    const [fresh, all] = await Promise.all([api.event(event.id), api.artists()]);
    onChange(fresh.version);
    draw(fresh, all);
    section.querySelector('form button[type="submit"]')?.focus();
    notify(message);
  }

  function draw(e, artists) {
    const linked = new Set((e.artists ?? []).map((a) => a.id));
    const candidates = artists.filter((a) => !linked.has(a.id)).sort((a, b) => a.name.localeCompare(b.name));
    if (mode.value === null || (mode.value === 'existing' && !candidates.length)) mode.value = candidates.length ? 'existing' : 'new';

    const list = e.artists?.length
      ? h('ul', { class: 'linked', 'data-testid': 'event-artists' }, e.artists.map((a) => {
        const rm = h('button', { type: 'button', class: 'btn small danger', 'aria-label': `Remove ${a.name} from this event` }, 'Remove');
        rm.addEventListener('click', async () => {
          if (!(await confirmAction(`Remove ${a.name} from “${e.name}”? The artist itself is kept.`, { title: 'Remove artist?', ok: 'Remove' }))) return;
          busy(rm, async () => {
            await api.removeEventArtist(e.id, a.id);
            await changed(`Removed ${a.name} from the line-up.`);
          }).catch(notifyError);
        });
        return h('li', {}, h('span', {}, h('strong', {}, a.name), h('span', { class: 'muted' }, ` ${a.country} · ${titleCase(a.genre)}`)), rm);
      }))
      : empty('No artists linked yet.');

    // Either pick an existing artist or describe a new one; one form, two modes.
    const body = h('div');
    const submit = h('button', { type: 'submit', class: 'btn' }, 'Add to line-up');
    const radios = h('fieldset', { class: 'choice' }, h('legend', {}, 'Artist'),
      ['existing', 'new'].map((m) => h('label', { class: 'radio' },
        h('input', { type: 'radio', name: 'mode', value: m, checked: mode.value === m, disabled: m === 'existing' && !candidates.length,
          onchange: () => { mode.value = m; drawBody(); } }),
        m === 'existing' ? ' Existing artist' : ' New artist')));
    function drawBody() {
      if (mode.value === 'existing') {
        mount(body, field('Choose an artist', h('select', { name: 'id', required: true },
          candidates.map((a) => h('option', { value: a.id }, `${a.name} (${a.country}, ${titleCase(a.genre)})`)))));
      } else {
        mount(body, h('div', { class: 'form-grid' },
          field('Artist name', input('name', { maxlength: 30 })),
          field('Country', input('country', { maxlength: 100 })),
          field('Genre', h('select', { name: 'genre', required: true }, GENRES.map((g) => h('option', { value: g }, titleCase(g)))))));
      }
    }
    drawBody();
    const form = h('form', { class: 'card form', 'aria-label': 'Add an artist' }, h('h3', {}, 'Add an artist'), radios, body, h('div', { class: 'actions' }, submit));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = formValues(form);
      const payload = mode.value === 'existing' ? { id: Number(v.id) } : { name: v.name, country: v.country, genre: v.genre };
      busy(submit, async () => {
        await api.addEventArtist(e.id, payload);
        await changed('Artist added to the line-up.');
      }).catch(notifyError);
    });
    mount(section, h('h2', { id: 'lineup-h' }, 'Line-up'), list, form);
  }

  draw(event, allArtists);
  return section;
}

export async function eventFormView(ctx) {
  const id = ctx.params.id;
  if (!id) {
    const form = eventForm(null, async (v) => {
      const e = await api.createEvent(v);
      navigate(`/admin/events/${e.id}`, { replace: true, state: { flash: `Created “${e.name}”. Now add its artists.` } });
    });
    protectUnsaved(ctx, form);
    return [pageTitle('New event'), form];
  }
  let e;
  let etag;
  try {
    ({ event: e, etag } = await api.eventForEdit(id));
  } catch (err) {
    if (err.status !== 404 && err.status !== 400) throw err;
    return [pageTitle('Event not found'), empty('It may have been deleted.', h('a', { href: '/admin/events' }, 'All events'))];
  }
  const artists = await api.artists();
  ctx.setTitle(`Edit ${e.name}`);

  const del = h('button', { type: 'button', class: 'btn danger' }, 'Delete event');
  del.addEventListener('click', async () => {
    if (!(await confirmAction(`Delete “${e.name}”? Every order for it is refunded.`, { title: 'Delete event?' }))) return;
    busy(del, async () => {
      await api.deleteEvent(e.id);
      navigate('/admin/events', { replace: true, state: { flash: `Deleted “${e.name}”; its orders were refunded.` } });
    }).catch(notifyError);
  });

  let original; // the form's values as loaded, to tell the admin's changes from the rest
  const form = eventForm(e, async (v) => {
    try {
      const saved = await api.updateEvent(e.id, v, etag);
      await reload();
      notify(`Saved “${saved.name}”.`);
    } catch (err) {
      if (err.code !== 'stale_version') throw err;
      // Tickets were sold (or someone else edited) since the form was opened. The form comes
      // back with the event as it is now, and on it only the fields this admin changed: their
      // typing is kept, and nobody else's change is overwritten by an untouched old value.
      const now = formValues(form);
      const changes = Object.fromEntries(Object.keys(now).filter((k) => now[k] !== original[k]).map((k) => [k, now[k]]));
      history.replaceState({ ...history.state, draft: { id: e.id, changes } }, '');
      await reload();
      notify('This event changed while you were editing it (tickets sold, or another edit). Nothing was saved: the form shows it as it is now, with your changes on it; check them and save again.', 'error');
    }
  });
  if (!ctx.isCurrent()) return [];
  original = formValues(form);
  protectUnsaved(ctx, form);
  const draft = ctx.state?.draft;
  if (draft?.id === e.id) {
    history.replaceState({ ...history.state, draft: null }, ''); // applied once, not on every reload
    for (const [name, value] of Object.entries(draft.changes)) {
      const control = form.elements.namedItem(name);
      if (!control) continue;
      control.value = String(value);
      control.dispatchEvent(new Event('input', { bubbles: true }));
      control.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  // The ETag is "<version>" (API.md). One version on is this admin's own line-up change: the
  // form's copy is still current. Any more and something else changed: a save is refused.
  const lineupChanged = (version) => {
    if (version === Number(etag.replaceAll('"', '')) + 1) etag = `"${version}"`;
  };

  return [
    h('p', { class: 'crumbs' }, h('a', { href: '/admin/events' }, '← Manage events')),
    pageTitle(`Edit: ${e.name}`, del),
    form,
    lineup(e, artists, lineupChanged),
  ];
}
