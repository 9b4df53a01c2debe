// Subscriptions: each with its status, backlog, in-flight, dead letters and health, refreshed live.

import {get, query} from '../api.js';
import {formatNumber, formatTime, h, table} from '../dom.js';

const REFRESH_MS = 3000;

export async function render(main, {params}) {
  const status = params.get('status') ?? '';
  const filter = h('select', {id: 'status-filter', name: 'status'},
    ['', 'active', 'paused', 'disabled'].map(s => h('option', {value: s, selected: s === status}, s || 'any')));
  filter.addEventListener('change', () => { window.location.hash = `#/subscriptions${filter.value ? `?status=${filter.value}` : ''}`; });
  const holder = h('div', {id: 'subscriptions'});
  main.append(h('h1', null, 'Subscriptions'),
    h('div', {class: 'actions'},
      h('a', {class: 'button', href: '#/subscriptions/new', id: 'new-subscription'}, 'New subscription'),
      h('label', {for: 'status-filter'}, 'Status'), filter),
    holder);
  const refresh = async () => holder.replaceChildren(renderTable(await listAll(status)));
  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
  return () => clearInterval(timer);
}

/** Every subscription the token may see (following the list's cursor). */
export async function listAll(status = '') {
  const items = [];
  let after = '';
  do {
    const page = await get(`/v1/subscriptions${query({limit: 100, after, status})}`);
    items.push(...page.items);
    after = page.next ?? '';
  } while (after);
  return items.filter(s => !s.ephemeral);
}

export function statusBadge(subscription) {
  const kind = subscription.status === 'active' ? (subscription.health?.failingSince ? 'warn' : 'ok')
    : subscription.status === 'paused' ? 'warn' : 'bad';
  return h('span', {class: `badge ${kind}`, title: subscription.statusReason ?? ''}, subscription.status);
}

export function healthText(subscription) {
  const health = subscription.health;
  if (!health) return h('span', {class: 'muted'}, subscription.protocol === 'PULL'
    ? `${subscription.stats?.streams ?? 0} stream(s)` : '—');
  if (!health.failingSince) {
    return h('span', {class: 'muted'}, health.lastSuccessAt ? `ok, last success ${formatTime(health.lastSuccessAt)}` : 'no delivery yet');
  }
  return h('span', null, h('strong', null, `failing since ${formatTime(health.failingSince)}`),
    ` (${health.consecutiveFailures} in a row): `, h('span', {class: 'mono'}, health.lastError ?? ''));
}

function renderTable(items) {
  if (!items.length) return h('p', {class: 'muted'}, 'No subscription yet.');
  return table(['ID', 'Protocol', 'Status', 'Types', 'Sink',
    {label: 'Backlog', class: 'num'}, {label: 'In flight', class: 'num'}, {label: 'Dead letters', class: 'num'}, 'Health'],
  items.map(s => h('tr', {'data-subscription': s.id},
    h('td', null, h('a', {href: `#/subscriptions/${encodeURIComponent(s.id)}`}, s.id)),
    h('td', null, s.protocol),
    h('td', null, statusBadge(s)),
    h('td', {class: 'mono'}, (s.types ?? []).join(', ') || '*'),
    h('td', {class: 'mono'}, s.sink ?? '—'),
    h('td', {class: 'num'}, formatNumber(s.stats?.backlog)),
    h('td', {class: 'num'}, formatNumber(s.stats?.inFlight)),
    h('td', {class: 'num', 'data-dead-letters': s.stats?.deadLetters ?? 0}, formatNumber(s.stats?.deadLetters)),
    h('td', null, healthText(s)))));
}
