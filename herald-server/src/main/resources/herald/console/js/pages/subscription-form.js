// Create or edit a subscription. The form sends what the API takes and shows the API's problem
// details next to each field they name (violations[].where), so it validates exactly like the API.

import {ApiError, enc, get, post, put} from '../api.js';
import {navigate} from '../app.js';
import {alertBox, copyButton, field, h} from '../dom.js';

export async function render(main, {args}) {
  const editing = args[0] ?? null;
  const existing = editing ? await get(`/v1/subscriptions/${enc(editing)}`) : null;
  const delivery = existing?.delivery ?? {};
  const settings = existing?.protocolsettings ?? {};
  const existingFilters = existing?.filters ?? [];
  const sqlFilter = existingFilters.find(f => f.sql !== undefined);
  const otherFilters = existingFilters.filter(f => f !== sqlFilter);

  const input = (name, attrs = {}) => h('input', {name, id: `sub-${name}`, ...attrs});
  const select = (name, options, value) => h('select', {name, id: `sub-${name}`},
    options.map(o => h('option', {value: o, selected: o === value}, o)));
  const c = {
    id: input('id', {value: existing?.id ?? '', disabled: Boolean(existing), placeholder: 'generated when empty'}),
    types: input('types', {value: (existing?.types ?? []).join(', '), placeholder: 'ci.*, repository.push'}),
    source: input('source', {value: existing?.source ?? ''}),
    protocol: select('protocol', ['HTTP', 'PULL'], existing?.protocol ?? 'HTTP'),
    sink: input('sink', {value: existing?.sink ?? '', type: 'url', placeholder: 'https://hooks.example.com/herald'}),
    method: select('method', ['POST', 'PUT'], settings.method ?? 'POST'),
    contentmode: select('contentmode', ['binary', 'structured'], settings.contentmode ?? 'binary'),
    headers: h('textarea', {name: 'headers', id: 'sub-headers', rows: 3, placeholder: 'X-Gitlab-Event-Streaming-Token: s3cr3t'},
      Object.entries(settings.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n')),
    sql: input('sql', {value: sqlFilter?.sql ?? '', placeholder: "authtype = 'app_user'"}),
    filters: h('textarea', {name: 'filters', id: 'sub-filters', rows: 3, placeholder: '[{"prefix": {"subject": "gid://gitlab/"}}]'},
      otherFilters.length ? JSON.stringify(otherFilters) : ''),
    maxAttempts: input('maxAttempts', {type: 'number', min: 1, value: delivery.maxAttempts ?? ''}),
    backoffMin: input('backoffMin', {value: delivery.backoff?.min ?? '', placeholder: '1s'}),
    backoffMax: input('backoffMax', {value: delivery.backoff?.max ?? '', placeholder: '5m'}),
    ordered: input('ordered', {type: 'checkbox', checked: Boolean(delivery.ordered)}),
    concurrency: input('concurrency', {type: 'number', min: 1, value: delivery.concurrency ?? ''}),
    delay: input('delay', {value: delivery.delay ?? '', placeholder: '0s'}),
    startAt: input('startAt', {value: existing ? '' : 'latest', disabled: Boolean(existing), placeholder: 'latest, earliest or an RFC 3339 time'}),
    ackDeadline: input('ackDeadline', {value: delivery.ackDeadline ?? '', placeholder: '60s'}),
    secret: input('secret', {disabled: Boolean(existing), placeholder: 'generated when empty', autocomplete: 'off'}),
  };
  if (existing) c.protocol.disabled = true;
  const f = {
    id: field('ID', c.id, {help: '1–128 of A-Z a-z 0-9 . _ -'}),
    types: field('Types', c.types, {help: 'Comma-separated; a trailing * is a prefix'}),
    source: field('Source', c.source, {help: 'Only events with exactly this source'}),
    protocol: field('Protocol', c.protocol, {help: 'HTTP: webhooks; PULL: streaming pull'}),
    sink: field('Sink URL', c.sink, {className: 'wide', help: 'The webhook URL (HTTP only)'}),
    method: field('Method', c.method),
    contentmode: field('Content mode', c.contentmode),
    headers: field('Headers', c.headers, {className: 'wide', help: 'One "Name: value" per line, sent with every request'}),
    sql: field('CESQL filter', c.sql, {className: 'wide'}),
    filters: field('Other filters (JSON array)', c.filters, {className: 'wide', help: 'Subscriptions API dialects: exact, prefix, suffix, all, any, not'}),
    maxAttempts: field('Max attempts', c.maxAttempts),
    backoffMin: field('Backoff min', c.backoffMin),
    backoffMax: field('Backoff max', c.backoffMax),
    ordered: field('Ordered per partition key', c.ordered),
    concurrency: field('Concurrency', c.concurrency),
    delay: field('Delay', c.delay),
    startAt: field('Start at', c.startAt),
    ackDeadline: field('Ack deadline (PULL)', c.ackDeadline),
    secret: field('Signing secret', c.secret, {help: 'whsec_…; create only'}),
  };
  const problems = h('div', {id: 'form-problems'});
  const result = h('div');
  const submit = h('button', {type: 'submit', id: 'save-subscription'}, existing ? 'Save' : 'Create');
  const form = h('form', {class: 'panel', novalidate: true, 'aria-label': existing ? 'Edit subscription' : 'New subscription'},
    problems,
    h('fieldset', null, h('legend', null, 'What'), h('div', {class: 'form-grid'}, f.id, f.types, f.source, f.sql, f.filters)),
    h('fieldset', null, h('legend', null, 'Where'), h('div', {class: 'form-grid'}, f.protocol, f.sink, f.method, f.contentmode, f.headers, f.secret)),
    h('fieldset', null, h('legend', null, 'Delivery'), h('div', {class: 'form-grid'},
      f.maxAttempts, f.backoffMin, f.backoffMax, f.concurrency, f.delay, f.startAt, f.ackDeadline, f.ordered)),
    h('div', {class: 'actions'}, submit,
      h('a', {class: 'button secondary', href: existing ? `#/subscriptions/${encodeURIComponent(existing.id)}` : '#/subscriptions'}, 'Cancel')));
  main.append(h('h1', null, existing ? `Edit ${existing.id}` : 'New subscription'), result, form);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    Object.values(f).forEach(x => x.fieldError(null));
    problems.replaceChildren();
    const built = build(c, existing, f);
    if (!built) return;
    submit.disabled = true;
    try {
      const saved = existing
        ? await put(`/v1/subscriptions/${enc(existing.id)}`, built.body)
        : await post('/v1/subscriptions', built.body);
      if (saved.secret) {
        form.remove();
        result.replaceChildren(h('div', {class: 'alert warn', role: 'status', id: 'created-secret'},
          h('strong', null, `Created ${saved.id}. Its signing secret is shown only now: `),
          'configure it in the receiver to verify webhook signatures.',
          h('div', {class: 'secret'}, h('code', null, saved.secret), copyButton('Copy secret', saved.secret))),
          h('p', null, h('a', {href: `#/subscriptions/${encodeURIComponent(saved.id)}`}, `Open ${saved.id}`)));
        result.querySelector('a').focus();
      } else {
        navigate(`subscriptions/${encodeURIComponent(saved.id)}`);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showViolations(error, f, problems, built.sqlIndex);
    } finally {
      submit.disabled = false;
    }
  });
}

function build(c, existing, f) {
  const body = existing ? {...Object.fromEntries(Object.entries(existing).filter(([k]) => DEFINITION.includes(k)))} : {};
  if (!existing && c.id.value.trim()) body.id = c.id.value.trim();
  body.types = c.types.value.split(',').map(t => t.trim()).filter(Boolean);
  setOrDelete(body, 'source', c.source.value.trim());
  if (!existing) body.protocol = c.protocol.value;
  const protocol = existing?.protocol ?? c.protocol.value;
  let filters = [];
  if (c.filters.value.trim()) {
    try {
      filters = JSON.parse(c.filters.value);
      if (!Array.isArray(filters)) throw new Error('must be a JSON array');
    } catch (error) {
      f.filters.fieldError(`not a JSON array of filters: ${error.message}`);
      c.filters.focus();
      return null;
    }
  }
  const sqlIndex = c.sql.value.trim() ? filters.length : -1;
  if (sqlIndex >= 0) filters.push({sql: c.sql.value.trim()});
  body.filters = filters;
  if (protocol === 'HTTP') {
    setOrDelete(body, 'sink', c.sink.value.trim());
    const headers = {};
    for (const line of c.headers.value.split('\n').map(l => l.trim()).filter(Boolean)) {
      const colon = line.indexOf(':');
      headers[colon < 0 ? line : line.slice(0, colon).trim()] = colon < 0 ? '' : line.slice(colon + 1).trim();
    }
    body.protocolsettings = {method: c.method.value, contentmode: c.contentmode.value, headers};
    if (!existing && c.secret.value.trim()) body.secret = c.secret.value.trim();
  } else {
    delete body.sink;
    delete body.protocolsettings;
  }
  const delivery = {};
  const number = value => (value.trim() === '' ? undefined : Number(value));
  const set = (name, value) => { if (value !== undefined && value !== '') delivery[name] = value; };
  set('maxAttempts', number(c.maxAttempts.value));
  if (c.backoffMin.value.trim() || c.backoffMax.value.trim()) {
    delivery.backoff = {};
    if (c.backoffMin.value.trim()) delivery.backoff.min = c.backoffMin.value.trim();
    if (c.backoffMax.value.trim()) delivery.backoff.max = c.backoffMax.value.trim();
  }
  delivery.ordered = c.ordered.checked;
  if (protocol === 'HTTP') set('concurrency', number(c.concurrency.value));
  set('delay', c.delay.value.trim());
  if (!existing) set('startAt', c.startAt.value.trim());
  if (protocol === 'PULL') set('ackDeadline', c.ackDeadline.value.trim());
  body.delivery = delivery;
  return {body, sqlIndex};
}

const DEFINITION = ['id', 'source', 'types', 'filters', 'config', 'sink', 'protocol', 'protocolsettings', 'delivery'];

function setOrDelete(body, name, value) {
  if (value) body[name] = value; else delete body[name];
}

/** Where a violation's `where` points, most specific first. */
const PLACES = [
  ['protocolsettings.method', 'method'], ['protocolsettings.contentmode', 'contentmode'],
  ['protocolsettings.headers', 'headers'], ['protocolsettings', 'headers'],
  ['delivery.maxAttempts', 'maxAttempts'], ['delivery.backoff.min', 'backoffMin'], ['delivery.backoff.max', 'backoffMax'],
  ['delivery.backoff', 'backoffMin'], ['delivery.ordered', 'ordered'], ['delivery.concurrency', 'concurrency'],
  ['delivery.delay', 'delay'], ['delivery.startAt', 'startAt'], ['delivery.ackDeadline', 'ackDeadline'],
  ['id', 'id'], ['types', 'types'], ['source', 'source'], ['sink', 'sink'], ['protocol', 'protocol'], ['secret', 'secret'],
];

const at = (where, key) => where === key || where.startsWith(`${key}.`) || where.startsWith(`${key}[`);

function showViolations(error, f, problems, sqlIndex) {
  const messages = new Map();
  const unplaced = [];
  for (const violation of error.violations) {
    const where = violation.where ?? '';
    let place = PLACES.find(([key]) => at(where, key))?.[1];
    if (!place && where.startsWith('filters')) place = sqlIndex >= 0 && at(where, `filters[${sqlIndex}]`) ? 'sql' : 'filters';
    const text = where === PLACES.find(([key]) => key && at(where, key))?.[0] ? violation.rule : `${where}: ${violation.rule}`;
    if (place && f[place]) messages.set(place, [...(messages.get(place) ?? []), text]);
    else unplaced.push(`${where || 'request'}: ${violation.rule}`);
  }
  for (const [place, texts] of messages) f[place].fieldError(texts.join('; '));
  problems.replaceChildren(alertBox('error', `${error.status} ${error.problem.title ?? 'Error'}`,
    [messages.size ? `${error.violations.length} problem${error.violations.length === 1 ? '' : 's'}: see the fields below.` : error.message, ...unplaced]));
  const first = [...messages.keys()][0];
  (first ? f[first].control : problems).focus?.();
}
