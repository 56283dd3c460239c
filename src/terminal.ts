/**
 * Text from the wire (span names, errors, decoded baggage, tags, metadata,
 * header values) on its way to a terminal: control characters made visible
 * instead of obeyed (issue 8). An `ESC ] 52` from a span name must not write
 * the developer's clipboard, nor `ESC [ 2 J` clear their screen.
 *
 * Replaced: C0 controls (U+0000–U+001F), DEL, C1 controls (U+0080–U+009F:
 * U+009B is a CSI of its own), and the Unicode bidi and line-separator
 * controls that reorder or break what a line shows (U+061C, U+200E, U+200F,
 * U+2028, U+2029, U+202A–U+202E, U+2066–U+2069). Each becomes a visible
 * escape: `\x1b`, `\t`, `\n`, `\u202e`.
 */

const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw: DEL, C1 and the Unicode controls (it escapes C0 itself). */
const JSON_RAW_CONTROLS = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export interface TerminalTextOptions {
  /** Keep `\n` as a line break (multi-line output built by us). Default false: one-line fields. */
  keepNewlines?: boolean;
}

/** `text` with every control character replaced by a visible escape. */
export function safeForTerminal(text: string, options: TerminalTextOptions = {}): string {
  const pattern = options.keepNewlines === true ? CONTROLS_BUT_NEWLINE : CONTROLS;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, visible) : text;
}

/**
 * JSON text for a terminal: the controls JSON.stringify leaves raw become
 * `\u` escapes, so the result is still the same JSON.
 */
export function safeJsonForTerminal(json: string): string {
  JSON_RAW_CONTROLS.lastIndex = 0;
  return JSON_RAW_CONTROLS.test(json) ? json.replace(JSON_RAW_CONTROLS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
