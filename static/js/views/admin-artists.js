// Admin: create, edit and delete artists. One form at the top creates, or edits the row
// whose Edit button was pressed.

import { h, field, formValues } from '../dom.js';
import * as api from '../api.js';
import { titleCase, GENRES } from '../format.js';
import { pageTitle, empty, confirmAction, notify, notifyError, busy } from '../ui.js';
import { reload } from '../router.js';

function artistForm(editing, onSave, onCancel) {
  const a = editing ?? {};
  const submit = h('button', { type: 'submit', class: 'btn' }, editing ? 'Save changes' : 'Create artist');
  const form = h('form', { class: 'card form', 'aria-label': editing ? `Edit ${a.name}` : 'New artist' },
    h('h2', {}, editing ? `Edit ${a.name}` : 'New artist'),
    h('div', { class: 'form-grid' },
      field('Name', h('input', { name: 'name', required: true, maxlength: 30, value: a.name ?? '' })),
      field('Country', h('input', { name: 'country', required: true, maxlength: 100, value: a.country ?? '' })),
      field('Genre', h('select', { name: 'genre', required: true },
        GENRES.map((g) => h('option', { value: g, selected: a.genre === g }, titleCase(g)))))),
    h('div', { class: 'actions' }, editing ? h('button', { type: 'button', class: 'btn ghost', onclick: onCancel }, 'Cancel') : null, submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(submit, () => onSave(formValues(form))).catch(notifyError);
  });
  return form;
}

export async function adminArtistsView() {
  const artists = (await api.artists()).sort((a, b) => a.name.localeCompare(b.name));
  const slot = h('div');

  function showForm(editing = null) {
    const form = artistForm(editing, async (v) => {
      const saved = editing ? await api.updateArtist(editing.id, v) : await api.createArtist(v);
      await reload();
      notify(`${editing ? 'Saved' : 'Created'} ${saved.name}.`);
    }, () => showForm(null));
    slot.replaceChildren(form);
    if (editing) form.querySelector('input')?.focus();
  }
  showForm();

  async function remove(a, button) {
    if (!(await confirmAction(`Delete ${a.name}? They are removed from every event's line-up.`, { title: 'Delete artist?' }))) return;
    await busy(button, async () => {
      await api.deleteArtist(a.id);
      await reload();
      notify(`Deleted ${a.name}.`);
    }).catch(notifyError);
  }

  return [
    pageTitle('Manage artists'),
    slot,
    artists.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-testid': 'admin-artists' },
        h('caption', { class: 'sr-only' }, 'Artists'),
        h('thead', {}, h('tr', {}, ['Name', 'Country', 'Genre', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, artists.map((a) => {
          const edit = h('button', { type: 'button', class: 'btn small secondary', 'aria-label': `Edit ${a.name}`, onclick: () => showForm(a) }, 'Edit');
          const del = h('button', { type: 'button', class: 'btn small danger', 'aria-label': `Delete ${a.name}` }, 'Delete');
          del.addEventListener('click', () => remove(a, del));
          return h('tr', { 'data-artist-id': a.id },
            h('th', { scope: 'row', 'data-label': 'Name' }, h('a', { href: `/lineup/${a.id}` }, a.name)),
            h('td', { 'data-label': 'Country' }, a.country),
            h('td', { 'data-label': 'Genre' }, titleCase(a.genre)),
            h('td', { class: 'row-actions' }, edit, del));
        }))))
      : empty('No artists yet.'),
  ];
}
