// Overview: publish and dispatch rates (GET /v1/stats, admin), backlog per subscription and dead
// letters (GET /v1/subscriptions), as small charts refreshed live.

import {get} from '../api.js';
import {isAdmin} from '../app.js';
import {LiveChart} from '../chart.js';
import {alertBox, append, formatNumber, h, table} from '../dom.js';
import {listAll, statusBadge} from './subscriptions.js';

const EVERY_MS = 2000;
const MAX_SERIES = 5;

export async function render(main) {
  const admin = isAdmin();
  const cards = {
    publish: card('Events published /s', 'card-publish'),
    dispatch: card('Deliveries /s', 'card-dispatch'),
    backlog: card('Backlog (all subscriptions)', 'card-backlog'),
    dead: card('Dead letters', 'card-dead'),
  };
  const charts = h('div', {class: 'grid'});
  const subscriptionTable = h('div');
  append(main, [h('h1', null, 'Overview'),
    h('div', {class: 'cards'}, admin ? [cards.publish.el, cards.dispatch.el] : null, cards.backlog.el, cards.dead.el),
    admin ? null : alertBox('warn', 'Rates need the admin scope', ['Publish and dispatch rates cover the whole stream, so only admin tokens see them. Backlogs and dead letters below are those of the subscriptions this token may see.']),
    charts, h('h2', null, 'Subscriptions'), subscriptionTable]);

  const box = label => {
    const el = h('div', {class: 'panel chart', role: 'img', 'aria-label': label});
    charts.append(el);
    return el;
  };
  const subscriptions = await listAll();
  const tracked = [...subscriptions].sort((a, b) => (b.stats?.backlog ?? 0) - (a.stats?.backlog ?? 0) || a.id.localeCompare(b.id))
    .slice(0, MAX_SERIES).map(s => s.id);
  // Every panel is laid out before any chart measures its width (the grid's columns depend on the count).
  const boxes = {
    publish: admin ? box('Events published per second') : null,
    dispatch: admin ? box('Deliveries per second by outcome') : null,
    backlog: box('Backlog per subscription'),
    dead: box('Dead letters, all visible subscriptions'),
  };
  const publishChart = admin ? new LiveChart(boxes.publish, {title: 'Published /s', series: ['events']}) : null;
  const dispatchChart = admin ? new LiveChart(boxes.dispatch,
    {title: 'Dispatched /s', series: ['delivered', 'retried', 'dead-lettered']}) : null;
  const backlogChart = new LiveChart(boxes.backlog, {title: 'Backlog', series: tracked.length ? tracked : ['(no subscription)']});
  const deadChart = new LiveChart(boxes.dead, {title: 'Dead letters', series: ['dead letters']});

  let previous = null;
  const sample = async () => {
    const now = Date.now() / 1000;
    const current = await listAll();
    const byId = new Map(current.map(s => [s.id, s]));
    const backlog = current.reduce((sum, s) => sum + (s.stats?.backlog ?? 0), 0);
    const dead = current.reduce((sum, s) => sum + (s.stats?.deadLetters ?? 0), 0);
    cards.backlog.set(formatNumber(backlog));
    cards.dead.set(formatNumber(dead));
    backlogChart.push(now, tracked.length ? tracked.map(id => byId.get(id)?.stats?.backlog ?? null) : [0]);
    deadChart.push(now, [dead]);
    subscriptionTable.replaceChildren(current.length ? table(['Subscription', 'Status', {label: 'Backlog', class: 'num'}, {label: 'Dead letters', class: 'num'}],
      current.map(s => h('tr', null, h('td', null, h('a', {href: `#/subscriptions/${encodeURIComponent(s.id)}`}, s.id)),
        h('td', null, statusBadge(s)), h('td', {class: 'num'}, formatNumber(s.stats?.backlog)),
        h('td', {class: 'num'}, formatNumber(s.stats?.deadLetters))))) : h('p', {class: 'muted'}, 'No subscription yet.'));
    if (!admin) return;
    const stats = await get('/v1/stats');
    const at = Date.parse(stats.time) / 1000;
    if (previous) {
      const seconds = Math.max(0.001, at - previous.at);
      const rate = (a, b) => Math.max(0, (a - b) / seconds);
      const outcome = (s, name) => s.dispatched.byOutcome[name] ?? 0;
      const published = rate(stats.published.total, previous.stats.published.total);
      const delivered = rate(outcome(stats, 'acked'), outcome(previous.stats, 'acked'));
      publishChart.push(now, [published]);
      dispatchChart.push(now, [delivered, rate(outcome(stats, 'retrying'), outcome(previous.stats, 'retrying')),
        rate(outcome(stats, 'dead_lettered'), outcome(previous.stats, 'dead_lettered'))]);
      cards.publish.set(formatNumber(published));
      cards.dispatch.set(formatNumber(delivered));
    }
    previous = {at, stats};
  };
  await sample();
  const timer = setInterval(() => sample().catch(() => {}), EVERY_MS);
  return () => {
    clearInterval(timer);
    [publishChart, dispatchChart, backlogChart, deadChart].forEach(chart => chart?.destroy());
  };
}

function card(label, id) {
  const value = h('div', {class: 'value', id}, '—');
  return {el: h('div', {class: 'card'}, h('div', {class: 'label'}, label), value), set: text => { value.textContent = text; }};
}
