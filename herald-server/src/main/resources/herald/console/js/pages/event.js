// One event: its attributes, its data as a collapsible tree, its schema version, its causation chain
// (what caused it, what it caused, what shares its correlation id) and copyable equivalents.

import {findEvents, serverUrl} from '../api.js';
import {alertBox, commandBlock, formatTime, h, shellQuote} from '../dom.js';
import {jsonTree} from '../json-tree.js';

const MAX_ANCESTORS = 10;
const MAX_DESCENDANTS = 50;
const MAX_DEPTH = 5;

export async function render(main, {args, isCurrent}) {
  const id = args[0];
  main.append(h('h1', null, 'Event ', h('span', {class: 'mono'}, id)));
  const event = await findOne(id);
  if (!event) {
    main.append(alertBox('warn', 'Not found', [`No stored event with id ${id} is visible to this token.`]));
    return;
  }
  const {data, data_base64: base64, ...attributes} = event;
  main.append(
    h('div', {class: 'grid'},
      h('section', {class: 'panel', 'aria-labelledby': 'attrs-title'},
        h('h2', {id: 'attrs-title'}, 'Attributes'),
        h('dl', {class: 'attrs'}, Object.entries(attributes).flatMap(([name, value]) => [
          h('dt', null, name), h('dd', null, name === 'time' ? `${value} (${formatTime(value)})` : String(value))])),
        h('p', null, 'Schema: ', schemaLink(event))),
      h('section', {class: 'panel', 'aria-labelledby': 'data-title'},
        h('h2', {id: 'data-title'}, 'Data'),
        data !== undefined ? jsonTree(data, {label: null, openDepth: 3})
          : base64 !== undefined ? h('pre', {class: 'command'}, base64) : h('p', {class: 'muted'}, 'No data.'))));

  const chain = h('section', {class: 'panel', 'aria-labelledby': 'chain-title', id: 'causation'},
    h('h2', {id: 'chain-title'}, 'Causation chain'), h('p', {class: 'muted', role: 'status'}, 'Following causationid and correlationid…'));
  main.append(chain,
    h('section', {class: 'panel', 'aria-labelledby': 'copy-title'},
      h('h2', {id: 'copy-title'}, 'Equivalents'),
      commandBlock('herald CLI', cliCommand(event)),
      commandBlock('curl', `curl -H "Authorization: Bearer $HERALD_TOKEN" ${shellQuote(`${serverUrl()}/v1/events?id=${encodeURIComponent(event.id)}`)}`),
      commandBlock('publish again (JSON)', `herald publish - <<'EOF'\n${JSON.stringify(event)}\nEOF`)));
  if (!isCurrent()) return;
  await renderChain(chain, event);
}

async function findOne(id) {
  const found = await findEvents({id}, {maxEvents: 1});
  return found[0] ?? null;
}

function schemaLink(event) {
  const prefix = `${serverUrl()}/v1/schemas/`;
  if (event.dataschema?.startsWith(prefix)) {
    const [type, version] = event.dataschema.slice(prefix.length).split('/');
    const number = version?.replace(/^v/, '');
    return h('a', {href: `#/schemas/${encodeURIComponent(type)}?v=${number}`}, `${type} v${number}`);
  }
  const label = event.dataschema ? `${event.dataschema} (an alias; see the versions of ${event.type})` : `${event.type}, latest version`;
  return h('a', {href: `#/schemas/${encodeURIComponent(event.type)}`}, label);
}

async function renderChain(section, event) {
  const ancestors = [];
  let current = event;
  let missing = null;
  while (current.causationid && ancestors.length < MAX_ANCESTORS) {
    const cause = await findOne(current.causationid);
    if (!cause) {
      missing = current.causationid;
      break;
    }
    ancestors.unshift(cause);
    current = cause;
  }
  const budget = {left: MAX_DESCENDANTS};
  const effects = await descendants(event.id, 1, budget);
  const correlated = event.correlationid
    ? (await findEvents({correlationid: event.correlationid}, {maxEvents: 50})).filter(e => e.id !== event.id) : [];

  const tree = h('ol', {class: 'chain', 'aria-label': 'Causes, this event and its effects'});
  let parent = tree;
  if (missing) {
    parent.append(h('li', {class: 'muted'}, `caused by ${missing} — not stored, or not visible to this token`));
  }
  for (const cause of ancestors) {
    const list = h('ol', {class: 'chain'});
    parent.append(h('li', null, eventLink(cause, 'cause'), list));
    parent = list;
  }
  const children = effectList(effects);
  parent.append(h('li', {class: 'current', 'aria-current': 'true'}, eventLink(event, 'this event'), children));

  section.replaceChildren(h('h2', {id: 'chain-title'}, 'Causation chain'),
    h('p', {class: 'muted'}, `${ancestors.length} cause${ancestors.length === 1 ? '' : 's'} above, `
      + `${count(effects)} effect${count(effects) === 1 ? '' : 's'} below`
      + (budget.left <= 0 ? ` (the first ${MAX_DESCENDANTS} shown)` : '') + '.'),
    tree,
    h('h3', null, `Same correlation id${event.correlationid ? ` (${event.correlationid})` : ''}`),
    !event.correlationid ? h('p', {class: 'muted'}, 'This event has no correlationid.')
      : correlated.length ? h('ul', {class: 'chain', id: 'correlated'}, correlated.map(e => h('li', null, eventLink(e))))
        : h('p', {class: 'muted'}, 'No other visible event shares it.'));
}

async function descendants(id, depth, budget) {
  if (depth > MAX_DEPTH || budget.left <= 0) return [];
  const direct = await findEvents({causationid: id}, {maxEvents: budget.left});
  budget.left -= direct.length;
  const nodes = [];
  for (const effect of direct) {
    nodes.push({event: effect, children: await descendants(effect.id, depth + 1, budget)});
  }
  return nodes;
}

function effectList(nodes) {
  if (!nodes.length) return null;
  return h('ul', {class: 'chain', 'aria-label': 'Effects'},
    nodes.map(node => h('li', null, eventLink(node.event, 'effect'), effectList(node.children))));
}

const count = nodes => nodes.reduce((sum, node) => sum + 1 + count(node.children), 0);

function eventLink(event, role) {
  return h('span', null,
    role ? h('span', {class: 'muted'}, `${role}: `) : null,
    h('a', {href: `#/events/${encodeURIComponent(event.id)}`, class: 'type'}, event.type), ' ',
    h('span', {class: 'mono muted'}, `${event.id} · ${formatTime(event.time)}`));
}

function cliCommand(event) {
  // herald events has no id filter: type, source and the event's exact time narrow it to this event.
  const time = new Date(event.time);
  const to = Number.isNaN(time.getTime()) ? event.time : new Date(time.getTime() + 1).toISOString();
  return `HERALD_SERVER=${serverUrl()} herald events --type ${shellQuote(event.type)} --source ${shellQuote(event.source)}`
    + ` --from ${shellQuote(event.time)} --to ${shellQuote(to)} -o json`;
}
