// Admin: create or edit an event, and manage its line-up (link an existing artist or a new one).

import { h, field, formValues, mount } from '../dom.js';
import * as api from '../api.js';
import { titleCase, GENRES } from '../format.js';
import { pageTitle, empty, confirmAction, notify, notifyError, busy } from '../ui.js';
import { navigate, reload } from '../router.js';

const input = (name, attrs = {}) => h('input', { name, required: true, ...attrs });

// Optional fields: empty means none (JSON null), so that clearing one clears it.
const optional = (v) => (v === '' || v === undefined ? null : v);

function eventForm(e, onSave) {
  const submit = h('button', { type: 'submit', class: 'btn' }, e ? 'Save changes' : 'Create event');
  const sold = e ? e.capacity - e.total_available_tickets : 0;
  const form = h('form', { class: 'card form', 'aria-label': 'Event details' },
    h('div', { class: 'form-grid' },
      field('Name', input('name', { maxlength: 30, value: e?.name ?? '' })),
      field('Date', input('date', { type: 'date', value: e?.date ?? '' })),
      field('Place', input('place', { maxlength: 100, value: e?.place ?? '' })),
      field('City', input('city', { maxlength: 100, value: e?.city ?? '' })),
      field('Price (€)', input('price', { type: 'number', min: 0, step: 1, inputmode: 'numeric', value: e?.price ?? '' })),
      field('Start time', h('input', { name: 'time', type: 'time', value: e?.time ?? '' }), 'Optional.'),
      // Capacity, not what is left: tickets sold while the form is open stay sold.
      field('Total tickets', input('capacity', { type: 'number', min: sold, step: 1, inputmode: 'numeric', value: e?.capacity ?? '' }),
        e ? `The capacity: ${sold} sold so far, ${e.total_available_tickets} left.` : 'The capacity: tickets on sale in total.'),
      field('Tickets per person', h('input', { name: 'max_tickets_per_account', type: 'number', min: 1, step: 1, inputmode: 'numeric', value: e?.max_tickets_per_account ?? '' }), 'Optional; empty for no limit.'),
      field('Image', h('input', { name: 'image_url', maxlength: 200, value: e?.image_url ?? '' }), 'Optional: a path under /static/.')),
    h('div', { class: 'actions' }, h('a', { class: 'btn ghost', href: '/admin/events' }, 'Cancel'), submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    busy(submit, () => onSave({ ...v, time: optional(v.time), max_tickets_per_account: optional(v.max_tickets_per_account),
      image_url: optional(v.image_url) })).catch(notifyError);
  });
  return form;
}

function lineup(e, allArtists) {
  const linked = new Set((e.artists ?? []).map((a) => a.id));
  const candidates = allArtists.filter((a) => !linked.has(a.id)).sort((a, b) => a.name.localeCompare(b.name));

  const list = e.artists?.length
    ? h('ul', { class: 'linked', 'data-testid': 'event-artists' }, e.artists.map((a) => {
      const rm = h('button', { type: 'button', class: 'btn small danger', 'aria-label': `Remove ${a.name} from this event` }, 'Remove');
      rm.addEventListener('click', async () => {
        if (!(await confirmAction(`Remove ${a.name} from “${e.name}”? The artist itself is kept.`, { title: 'Remove artist?', ok: 'Remove' }))) return;
        busy(rm, async () => {
          await api.removeEventArtist(e.id, a.id);
          await reload();
          notify(`Removed ${a.name} from the line-up.`);
        }).catch(notifyError);
      });
      return h('li', {}, h('span', {}, h('strong', {}, a.name), h('span', { class: 'muted' }, ` ${a.country} · ${titleCase(a.genre)}`)), rm);
    }))
    : empty('No artists linked yet.');

  // Either pick an existing artist or describe a new one; one form, two modes.
  const mode = { value: candidates.length ? 'existing' : 'new' };
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
      await reload();
      notify('Artist added to the line-up.');
    }).catch(notifyError);
  });

  return h('section', { class: 'lineup-admin', 'aria-labelledby': 'lineup-h' }, h('h2', { id: 'lineup-h' }, 'Line-up'), list, form);
}

export async function eventFormView(ctx) {
  const id = ctx.params.id;
  if (!id) {
    return [pageTitle('New event'), eventForm(null, async (v) => {
      const e = await api.createEvent(v);
      navigate(`/admin/events/${e.id}`, { replace: true, state: { flash: `Created “${e.name}”. Now add its artists.` } });
    })];
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

  return [
    h('p', { class: 'crumbs' }, h('a', { href: '/admin/events' }, '← Manage events')),
    pageTitle(`Edit: ${e.name}`, del),
    eventForm(e, async (v) => {
      try {
        const saved = await api.updateEvent(e.id, v, etag);
        await reload();
        notify(`Saved “${saved.name}”.`);
      } catch (err) {
        if (err.code !== 'stale_version') throw err;
        // Tickets were sold (or someone else edited) since the form was opened: show what
        // the event is now; the admin redoes the edit on it.
        await reload();
        notify('This event changed while you were editing it (tickets sold, or another edit). Nothing was saved: the form now shows it as it is; make your change again.', 'error');
      }
    }),
    lineup(e, artists),
  ];
}
