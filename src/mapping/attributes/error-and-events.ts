/** The run's error text and the span events not consumed as content. */
import { SpanStatusCode } from '@opentelemetry/api';
import * as C from '../conventions.js';
import type { MappedAttributes, SpanEventLike, SpanLike } from '../types.js';
import { hrTimeToIso } from '../../time.js';
import type { Cx } from './scan.js';
import { nonEmpty } from './values.js';

/**
 * `type: message`, unless the message already starts with its type (the
 * langsmith SDK's OTel mode records `new Error(String(error))`, whose message
 * is "Error: …" already).
 */
export function exceptionHead(type: string, message: string): string {
  return message.startsWith(`${type}:`) ? message : `${type}: ${message}`;
}

/**
 * Every `exception` event as `type: message\n\nstacktrace` (E1), joined by a
 * blank line, whatever the status (E3); with none, an ERROR status's message
 * (E2). Ingest reads only the events (langsmith.md §4).
 */
export function errorOf(span: SpanLike, cx: Cx): string | undefined {
  // Exception events make an error whatever the status: LangSmith's OTLP ingest
  // reads them and not the status code, so both encodings agree; and the
  // langsmith SDK's OTel mode sets OK when a run starts, which the OTel SDK
  // then never lets its later ERROR replace.
  const code = span.status?.code;
  const texts: string[] = [];
  for (const i of cx.ev.exceptions) {
    cx.ev.consumed[i] = 1;
    const a = cx.events[i]!.attributes ?? {};
    const type = nonEmpty(a, C.EXCEPTION_TYPE);
    const message = nonEmpty(a, C.EXCEPTION_MESSAGE);
    const stack = nonEmpty(a, C.EXCEPTION_STACKTRACE);
    const head = type !== undefined && message !== undefined ? exceptionHead(type, message) : (type ?? message ?? '');
    // A JS stack already starts with "Type: message": then the stack alone.
    const text = stack === undefined ? head : head === '' || stack.startsWith(head) ? stack : `${head}\n\n${stack}`;
    if (text !== '') texts.push(text);
  }
  if (texts.length > 0) return texts.join('\n\n');
  if (code !== SpanStatusCode.ERROR) return undefined;
  const statusMessage = span.status.message;
  if (typeof statusMessage === 'string' && statusMessage !== '') return statusMessage;
  const httpStatus = cx.attrs['http.response.status_code'] ?? cx.attrs['http.status_code'];
  return nonEmpty(cx.attrs, C.ERROR_TYPE) ?? (typeof httpStatus === 'number' ? `HTTP ${httpStatus}` : 'Error');
}

export function remainingEvents(events: readonly SpanEventLike[], consumed: Uint8Array): MappedAttributes['events'] {
  const out: MappedAttributes['events'] = [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (consumed[i] === 1 || event === undefined) continue;
    const entry: MappedAttributes['events'][number] = { name: String(event.name), time: hrTimeToIso(event.time) };
    if (event.attributes !== undefined) entry.kwargs = { ...event.attributes };
    out.push(entry);
  }
  return out;
}
