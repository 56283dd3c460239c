/** Traceloop `traceloop.entity.input`/`output`, read for both inputs and outputs. */
import type { Cx } from './scan.js';
import { ioFromValue, isRecord, type Json, setOwn } from './values.js';

/** Keys a Traceloop entity input/output wrapper may carry besides the payload. */
const TRACELOOP_WRAPPER_KEYS: ReadonlySet<string> = new Set(['tags', 'metadata', 'kwargs', 'run_type']);

/**
 * `traceloop.entity.input`/`output`. OpenLLMetry wraps a LangChain payload as
 * `{inputs|outputs, tags, metadata, kwargs}` and a decorated function's
 * arguments as `{args, kwargs}`; both wrappers are removed.
 */
export function traceloopEntity(cx: Cx, attr: string, payloadKey: string, wrapKey: string): Json | undefined {
  const value = cx.attrs[attr];
  if (value === undefined) return undefined;
  const io = ioFromValue(value, wrapKey, cx.parseLimit);
  const keys = Object.keys(io);
  if (keys.includes(payloadKey) && keys.every((k) => k === payloadKey || TRACELOOP_WRAPPER_KEYS.has(k))) {
    const payload = io[payloadKey];
    return isRecord(payload) ? payload : { [wrapKey]: payload };
  }
  if (wrapKey === 'input' && keys.length > 0 && keys.every((k) => k === 'args' || k === 'kwargs')) {
    return unwrapArgs(io.args, io.kwargs);
  }
  return io;
}

/** `{args: [], kwargs}` → kwargs; `{args: [x]}` → x (an object) or `{input: x}`; else `{args, ...kwargs}`. */
function unwrapArgs(args: unknown, kwargs: unknown): Json {
  const list = Array.isArray(args) ? args : args === undefined ? [] : [args];
  const named = isRecord(kwargs) ? kwargs : {};
  const hasNamed = Object.keys(named).length > 0;
  if (list.length === 0) return { ...named };
  if (list.length === 1 && !hasNamed) {
    const only = list[0];
    return isRecord(only) ? only : { input: only };
  }
  const out: Json = { args: list };
  for (const key of Object.keys(named)) {
    if (key !== 'args') setOwn(out, key, named[key]);
  }
  return out;
}
