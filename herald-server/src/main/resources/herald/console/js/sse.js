// Server-Sent Events over fetch: EventSource cannot send an Authorization header, and the token must
// not go into the URL. Parses the text/event-stream format (id, event, data, comments).

import {ApiError, authHeaders, read} from './api.js';

const BOUNDARY = /\r?\n\r?\n/;

/**
 * Reads a stream until it ends or signal aborts. onMessage gets {id, event, data} for each message.
 * Resolves when the server ends the stream, rejects with ApiError for an error answer.
 */
export async function readStream(path, {signal, onOpen, onMessage}) {
  const response = await fetch(path, {headers: authHeaders({Accept: 'text/event-stream'}), signal,
    cache: 'no-store', credentials: 'omit'});
  if (!response.ok) {
    await read(response);
    throw new ApiError(response.status, null);
  }
  onOpen?.();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += value;
    let match;
    while ((match = BOUNDARY.exec(buffer)) !== null) {
      const block = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      const message = parse(block);
      if (message) onMessage(message);
    }
  }
}

function parse(block) {
  const message = {id: null, event: 'message', data: []};
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'data') message.data.push(value);
    else if (name === 'id') message.id = value;
    else if (name === 'event') message.event = value;
  }
  return message.data.length ? {...message, data: message.data.join('\n')} : null;
}

export function isAbort(error) {
  return error?.name === 'AbortError';
}
