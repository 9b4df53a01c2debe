// One subscription: definition, stats and health; pause, resume, enable, seek, rotate-secret and
// delete; its dead letters: list, show, redrive one or all, discard one or all.

import {ApiError, del, enc, get, post, query} from '../api.js';
import {navigate} from '../app.js';
import {alertBox, append, confirmButton, copyButton, field, formatNumber, formatTime, h, table} from '../dom.js';
import {jsonTree} from '../json-tree.js';
import {healthText, statusBadge} from './subscriptions.js';

const REFRESH_MS = 3000;
const PAGE = 50;

export async function render(main, {args}) {
  const id = args[0];
  const base = `/v1/subscriptions/${enc(id)}`;
  const notices = h('div', {id: 'notices', 'aria-live': 'polite'});
  const summary = h('div');
  const letters = h('section', {class: 'panel', 'aria-labelledby': 'dl-title', id: 'dead-letters'});
  const shown = h('div', {id: 'dead-letter'});
  main.append(h('h1', null, 'Subscription ', h('span', {class: 'mono'}, id)), notices, summary, letters, shown);

  const notify = (kind, title, items) => notices.replaceChildren(alertBox(kind, title, items));
  const act = async (label, call) => {
    try {
      const result = await call();
      await refresh();
      return result;
    } catch (error) {
      notify('error', `${label} failed`, [error instanceof ApiError ? `${error.status}: ${error.message}` : error.message]);
      return undefined; // the API answers null (204) or an object, never undefined
    }
  };

  let after = '';
  const refresh = async () => {
    const subscription = await get(base);
    summary.replaceChildren(renderSummary(subscription));
    const page = await get(`${base}/dead-letters${query({limit: PAGE, after})}`);
    letters.replaceChildren();
    append(letters, renderLetters(page));
  };

  const renderSummary = s => {
    const actions = h('div', {class: 'actions'});
    if (s.status === 'active') actions.append(h('button', {type: 'button', class: 'secondary', onclick: () => act('Pause', () => post(`${base}/pause`))}, 'Pause'));
    if (s.status === 'paused') actions.append(h('button', {type: 'button', onclick: () => act('Resume', () => post(`${base}/resume`))}, 'Resume'));
    if (s.status === 'disabled') actions.append(h('button', {type: 'button', onclick: () => act('Enable', () => post(`${base}/enable`))}, 'Enable'));
    actions.append(h('a', {class: 'button secondary', href: `#/subscriptions/${encodeURIComponent(s.id)}/edit`}, 'Edit'));
    if (s.protocol === 'HTTP') {
      actions.append(confirmButton('Rotate secret', 'Confirm: rotate secret', async () => {
        const rotated = await act('Rotate secret', () => post(`${base}/rotate-secret`));
        if (rotated?.secret) {
          notices.replaceChildren(h('div', {class: 'alert warn', role: 'status', id: 'new-secret'},
            h('strong', null, 'New signing secret — shown only now. '),
            `The previous secret stays valid until ${formatTime(rotated.secretRotation?.previousSecretValidUntil)}.`,
            h('div', {class: 'secret'}, h('code', null, rotated.secret), copyButton('Copy secret', rotated.secret))));
        }
      }, {className: 'secondary'}));
    }
    actions.append(confirmButton('Delete', 'Confirm: delete with its dead letters', async () => {
      try {
        await del(base);
        navigate('subscriptions');
      } catch (error) {
        notify('error', 'Delete failed', [error.message]);
      }
    }));

    const seekTo = h('select', {id: 'seek-to', name: 'to'}, ['earliest', 'latest', 'time'].map(v => h('option', {value: v}, v === 'time' ? 'a time (UTC)…' : v)));
    const seekTime = h('input', {id: 'seek-time', type: 'datetime-local', step: 1, name: 'time', disabled: true});
    seekTo.addEventListener('change', () => { seekTime.disabled = seekTo.value !== 'time'; });
    const seekTimeField = field('Time (UTC)', seekTime);
    const seek = h('form', {class: 'filters', 'aria-label': 'Seek'},
      field('Seek to', seekTo), seekTimeField,
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'secondary'}, 'Seek')));
    seek.addEventListener('submit', async event => {
      event.preventDefault();
      const to = seekTo.value === 'time' ? `${seekTime.value}${seekTime.value.length === 16 ? ':00' : ''}Z` : seekTo.value;
      const done = await act('Seek', () => post(`${base}/seek`, {to}));
      if (done !== undefined) notify('ok', `Moved to ${to}.`);
    });

    const definition = Object.fromEntries(Object.entries(s).filter(([k]) => !['stats', 'health', 'secret'].includes(k)));
    return h('div', {class: 'grid'},
      h('section', {class: 'panel', 'aria-labelledby': 'state-title'},
        h('h2', {id: 'state-title'}, 'State'),
        h('dl', {class: 'attrs'},
          h('dt', null, 'status'), h('dd', null, statusBadge(s), s.statusReason ? ` ${s.statusReason}` : ''),
          h('dt', null, 'protocol'), h('dd', null, s.protocol),
          h('dt', null, 'types'), h('dd', null, (s.types ?? []).join(', ') || '*'),
          h('dt', null, 'sink'), h('dd', null, s.sink ?? '—'),
          h('dt', null, 'backlog'), h('dd', {id: 'stat-backlog'}, formatNumber(s.stats?.backlog)),
          h('dt', null, 'in flight'), h('dd', null, formatNumber(s.stats?.inFlight)),
          h('dt', null, 'dead letters'), h('dd', {id: 'stat-dead-letters'}, formatNumber(s.stats?.deadLetters)),
          h('dt', null, 'health'), h('dd', null, healthText(s)),
          h('dt', null, 'updated'), h('dd', null, formatTime(s.updatedAt))),
        actions, seek),
      h('section', {class: 'panel', 'aria-labelledby': 'def-title'},
        h('h2', {id: 'def-title'}, 'Definition'), jsonTree(definition, {label: null, openDepth: 2})));
  };

  const renderLetters = page => {
    const rows = page.items.map(letter => h('tr', {'data-dead-letter': letter.id},
      h('td', {class: 'mono'}, letter.id),
      h('td', null, letter.type),
      h('td', {class: 'mono'}, letter.eventId),
      h('td', {class: 'num'}, letter.attempts),
      h('td', {class: 'mono'}, letter.lastError ?? ''),
      h('td', {class: 'mono'}, formatTime(letter.deadAt)),
      h('td', null, h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary small', onclick: () => show(letter.id)}, 'Show'),
        h('button', {type: 'button', class: 'small', 'aria-label': `Redrive dead letter ${letter.id}`,
          onclick: () => act('Redrive', () => post(`${base}/dead-letters/${enc(letter.id)}/redrive`))}, 'Redrive'),
        confirmButton('Discard', 'Confirm discard', () => act('Discard', () => del(`${base}/dead-letters/${enc(letter.id)}`)))))));
    return [
      h('h2', {id: 'dl-title'}, 'Dead letters ', h('span', {class: 'badge bad', id: 'dead-letter-total'}, String(page.total))),
      page.total ? h('div', {class: 'actions'},
        h('button', {type: 'button', id: 'redrive-all', onclick: async () => {
          const result = await act('Redrive all', () => post(`${base}/dead-letters/redrive`, {all: true}));
          if (result) notify('ok', `Redriven: ${result.redriven}.`);
        }}, 'Redrive all'),
        confirmButton('Discard all', 'Confirm: discard all', async () => {
          const result = await act('Discard all', () => post(`${base}/dead-letters/discard`, {all: true}));
          if (result) notify('ok', `Discarded: ${result.discarded}.`);
        })) : h('p', {class: 'muted'}, 'No dead letters.'),
      rows.length ? table(['ID', 'Type', 'Event', {label: 'Attempts', class: 'num'}, 'Last error', 'Dead since', 'Actions'], rows) : null,
      page.next || after ? h('nav', {class: 'pager', 'aria-label': 'Dead-letter pages'},
        after ? h('button', {type: 'button', class: 'secondary', onclick: () => { after = ''; refresh(); }}, 'First page') : null,
        page.next ? h('button', {type: 'button', class: 'secondary', onclick: () => { after = page.next; refresh(); }}, 'Next page') : null) : null,
    ];
  };

  const show = async deadLetterId => {
    try {
      const letter = await get(`${base}/dead-letters/${enc(deadLetterId)}`);
      const {event, ...rest} = letter;
      shown.replaceChildren(h('section', {class: 'panel', 'aria-labelledby': 'shown-title'},
        h('h2', {id: 'shown-title', tabindex: -1}, `Dead letter ${letter.id}`),
        h('dl', {class: 'attrs'}, Object.entries(rest).flatMap(([k, v]) => [h('dt', null, k), h('dd', null, String(v ?? '—'))])),
        h('p', null, h('a', {href: `#/events/${encodeURIComponent(letter.eventId)}`}, 'Open the event')),
        event ? jsonTree(event, {label: 'event', openDepth: 2}) : null));
      shown.querySelector('h2').focus();
    } catch (error) {
      notify('error', 'Cannot show the dead letter', [error.message]);
    }
  };

  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
  return () => clearInterval(timer);
}
