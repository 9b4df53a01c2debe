// A collapsible JSON tree from <details>/<summary>: keyboard-operable (Enter/Space toggle) and read
// out by screen readers without any script of ours.

import {h} from './dom.js';

export function jsonTree(value, {label = 'data', openDepth = 2} = {}) {
  return h('div', {class: 'json-tree'}, node(label, value, 0, openDepth));
}

function node(key, value, depth, openDepth) {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    const details = h('details', {open: depth < openDepth},
      h('summary', null, keyLabel(key), brackets[0],
        h('span', {class: 'count'}, ` ${entries.length} ${Array.isArray(value) ? 'items' : 'keys'} `), brackets[1]),
      entries.map(([k, v]) => node(k, v, depth + 1, openDepth)));
    return details;
  }
  return h('div', {class: 'entry'}, keyLabel(key), scalar(value));
}

function keyLabel(key) {
  return key === null ? null : [h('span', {class: 'key'}, typeof key === 'number' ? `${key}` : JSON.stringify(key)), ': '];
}

function scalar(value) {
  if (value === null) return h('span', {class: 'null'}, 'null');
  if (typeof value === 'string') return h('span', {class: 'string'}, JSON.stringify(value));
  if (typeof value === 'number') return h('span', {class: 'number'}, String(value));
  return h('span', {class: 'boolean'}, String(value));
}
