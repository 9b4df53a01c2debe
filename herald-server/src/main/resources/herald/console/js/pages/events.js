// Events: search the stored stream by type pattern, project, subject, source and time range, with
// cursor paging (GET /v1/events).

import {get, query, serverUrl} from '../api.js';
import {navigate} from '../app.js';
import {commandBlock, field, formatTime, h, shellQuote, table} from '../dom.js';

const FILTERS = ['type', 'project', 'subject', 'source', 'from', 'to'];

export async function render(main, {params}) {
  const values = Object.fromEntries(FILTERS.map(name => [name, params.get(name) ?? '']));
  const limit = params.get('limit') ?? '50';
  const cursor = params.get('cursor') ?? '';
  const back = params.getAll('back');

  const inputs = {
    type: h('input', {name: 'type', value: values.type, placeholder: 'ci.* or ci.pipeline.created'}),
    project: h('input', {name: 'project', value: values.project, placeholder: 'gid://gitlab/Project/1'}),
    subject: h('input', {name: 'subject', value: values.subject}),
    source: h('input', {name: 'source', value: values.source}),
    from: h('input', {name: 'from', type: 'datetime-local', step: 1, value: toLocalInput(values.from)}),
    to: h('input', {name: 'to', type: 'datetime-local', step: 1, value: toLocalInput(values.to)}),
    limit: h('select', {name: 'limit'}, ['20', '50', '100', '500'].map(n => h('option', {value: n, selected: n === limit}, n))),
  };
  const form = h('form', {class: 'panel filters', role: 'search', 'aria-label': 'Event search'},
    field('Type', inputs.type, {help: 'A type or a glob'}),
    field('Project', inputs.project), field('Subject', inputs.subject), field('Source', inputs.source),
    field('From (UTC, inclusive)', inputs.from), field('To (UTC, exclusive)', inputs.to),
    field('Page size', inputs.limit),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Search'),
      h('a', {class: 'button secondary', href: '#/events'}, 'Clear')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const next = {limit: inputs.limit.value};
    for (const name of ['type', 'project', 'subject', 'source']) next[name] = inputs[name].value.trim();
    next.from = fromLocalInput(inputs.from.value);
    next.to = fromLocalInput(inputs.to.value);
    navigate('events', next);
  });

  main.append(h('h1', null, 'Events'), form);
  const answer = await get(`/v1/events${query({...values, limit, cursor})}`);
  const rows = answer.events.map(event => h('tr', null,
    h('td', {class: 'mono'}, formatTime(event.time)),
    h('td', null, h('a', {href: `#/events/${encodeURIComponent(event.id)}`}, event.type)),
    h('td', {class: 'mono'}, event.project ?? '—'),
    h('td', {class: 'mono'}, event.subject ?? '—'),
    h('td', {class: 'mono'}, event.id)));
  main.append(
    h('p', {class: 'status-line', role: 'status'}, `${answer.events.length} event${answer.events.length === 1 ? '' : 's'} on this page`
      + (answer.more ? '; more are stored.' : '.')),
    table(['Time', 'Type', 'Project', 'Subject', 'ID'], rows.length ? rows
      : [h('tr', null, h('td', {colspan: 5, class: 'muted'}, 'No event matches.'))]),
    pager(values, limit, cursor, back, answer),
    h('h2', null, 'The same query elsewhere'),
    commandBlock('herald CLI', cliCommand(values, limit)),
    commandBlock('curl', curlCommand(values, limit)));
}

/** Cursors are forward-only, so "previous" is a stack of the cursors of the pages before ('' = first page). */
function pager(values, limit, cursor, back, answer) {
  const link = (target, stack) => {
    const search = new URLSearchParams(Object.entries({...values, limit, cursor: target}).filter(([, v]) => v));
    stack.forEach(b => search.append('back', b));
    return `#/events?${search}`;
  };
  const links = h('nav', {class: 'pager', 'aria-label': 'Pages'});
  if (back.length) {
    links.append(h('a', {class: 'button secondary', href: link(back[back.length - 1], back.slice(0, -1))}, 'Previous page'));
  }
  if (answer.more) {
    links.append(h('a', {class: 'button', href: link(answer.cursor, [...back, cursor])}, 'Next page'));
  }
  return links;
}

function cliCommand(values, limit) {
  const parts = ['herald events'];
  for (const name of ['type', 'project', 'subject', 'source', 'from', 'to']) {
    if (values[name]) parts.push(`--${name} ${shellQuote(values[name])}`);
  }
  parts.push(`--limit ${limit}`);
  return `HERALD_SERVER=${serverUrl()} ${parts.join(' ')}`;
}

function curlCommand(values, limit) {
  return `curl -H "Authorization: Bearer $HERALD_TOKEN" ${shellQuote(`${serverUrl()}/v1/events${query({...values, limit})}`)}`;
}

/** RFC 3339 (UTC) ↔ the value of a datetime-local input, which has no zone: the console shows UTC. */
function toLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 19);
}

function fromLocalInput(value) {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : '';
}
