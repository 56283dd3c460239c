/**
 * Command-line parsing for every command: `util.parseArgs` in strict mode
 * decides, and when it refuses, the same arguments parsed leniently (tokens)
 * name the offending one in our own words — Node's messages vary between
 * versions and are several sentences long; a usage error here is one line.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The command's name on the command line. */
export const PACKAGE_NAME = 'langsmith-otel-bridge';

/** The line after a usage error: where the help of `command` (or of the whole CLI) is. */
export function usageHint(command?: string): string {
  return `Run '${PACKAGE_NAME}${command === undefined ? '' : ` ${command}`} --help' for usage.`;
}

/** One argument as parseArgs saw it, in command-line order (so the last of `--color --no-color` wins). */
export type ArgToken =
  | { kind: 'option'; name: string; rawName: string; index: number; value: string | undefined; inlineValue: boolean | undefined }
  | { kind: 'positional'; index: number; value: string }
  | { kind: 'option-terminator'; index: number };

export interface ParsedArgs {
  tokens: ArgToken[];
  positionals: string[];
}

/** The parse, or the one-line reason it is a usage error. */
export function parseCommandArgs(
  args: readonly string[],
  options: Options,
  allowPositionals: boolean,
): { ok: true; parsed: ParsedArgs } | { ok: false; problem: string } {
  try {
    const { tokens, positionals } = parseArgs({ args: [...args], options, allowPositionals, strict: true, tokens: true });
    return { ok: true, parsed: { tokens: tokens as ArgToken[], positionals } };
  } catch (err) {
    return { ok: false, problem: explain(args, options, allowPositionals) ?? (err as Error).message };
  }
}

function explain(args: readonly string[], options: Options, allowPositionals: boolean): string | undefined {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens as ArgToken[]) {
    if (token.kind === 'positional') {
      if (!allowPositionals) return `unknown argument ${JSON.stringify(token.value)}`;
      continue;
    }
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (option === undefined) return `unknown option ${JSON.stringify(token.rawName)}`;
    if (option.type === 'boolean' && token.value !== undefined) {
      return `${token.rawName} takes no value (got ${JSON.stringify(`${token.rawName}=${token.value}`)})`;
    }
    // Strict mode refuses a value that looks like an option (`--trace --ids`): the value was forgotten.
    if (option.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      return `${token.rawName} needs a value`;
    }
  }
  return undefined;
}
