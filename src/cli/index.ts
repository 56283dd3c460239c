#!/usr/bin/env node
/**
 * The `langsmith-otel-bridge` command line. No framework: two commands, each
 * parsed by `util.parseArgs` (strict), `--help` everywhere, exit status 2 for
 * usage errors. Kept free of `import.meta` so the CommonJS build compiles it too.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { safeForTerminal } from '../terminal.js';
import { PACKAGE_NAME, parseCommandArgs, usageHint } from './args.js';
import { INSPECT_HELP, runInspect } from './inspect.js';
import { runTree, TREE_HELP } from './tree.js';

const HELP = `Usage: langsmith-otel-bridge <command> [options]

Commands:
  inspect   decode traceparent / tracestate / langsmith-trace / baggage headers:
            both id worlds side by side, their consistency, what is invalid
  tree      print the runs of a local sink file (.langsmith-otel/runs.jsonl)
            as one tree per trace
  help      show this help, or a command's: help <command>

Options:
  --version   print the version of langsmith-otel-bridge
  -h, --help  show this help

Run 'langsmith-otel-bridge <command> --help' for a command's options.
`;

const COMMAND_HELP: Record<string, string> = { inspect: INSPECT_HELP, tree: TREE_HELP };

const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const USAGE_HINT = usageHint();

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const out = (text: string) => void process.stdout.write(text);
  const err = (text: string) => void process.stderr.write(safeForTerminal(text, { keepNewlines: true }));
  if (command === undefined) {
    err(HELP);
    return 2;
  }
  if (command.startsWith('-')) {
    // Options before any command: --help, --version.
    const result = parseCommandArgs(argv, GLOBAL_OPTIONS, false);
    if (!result.ok) {
      err(`${PACKAGE_NAME}: ${result.problem}.\n${USAGE_HINT}\n`);
      return 2;
    }
    const names = result.parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : []));
    if (names.includes('help')) {
      out(HELP);
      return 0;
    }
    const version = packageVersion(process.argv[1]);
    if (version === undefined) {
      err(`${PACKAGE_NAME}: cannot find the package.json of ${PACKAGE_NAME} above ${process.argv[1] ?? 'this script'}.\n`);
      return 1;
    }
    out(`${version}\n`);
    return 0;
  }
  switch (command) {
    case 'help': {
      if (args.length > 1) {
        err(`${PACKAGE_NAME}: help takes one command, got ${args.length} arguments.\n${USAGE_HINT}\n`);
        return 2;
      }
      const topic = args[0];
      if (topic === undefined) {
        out(HELP);
        return 0;
      }
      const help = COMMAND_HELP[topic];
      if (help === undefined) break;
      out(help);
      return 0;
    }
    case 'inspect':
      return runInspect(args, { out, err, stdinIsTTY: process.stdin.isTTY === true, readStdin });
    case 'tree':
      return runTree(args, { out, err, stdoutIsTTY: process.stdout.isTTY === true, env: process.env });
  }
  const name = command === 'help' ? args[0]! : command;
  err(`${PACKAGE_NAME}: unknown command ${JSON.stringify(name)}. Run '${PACKAGE_NAME} --help' for the commands (inspect, tree).\n`);
  return 2;
}

/**
 * The version in this package's package.json, found by walking up from the
 * running script (dist/esm/cli/index.js or dist/cjs/cli/index.js, through a
 * node_modules/.bin link): no `import.meta`, no `__dirname`, so both builds
 * share this code. dist/cjs/package.json only sets the module type, so the
 * walk skips any package.json that does not name this package.
 */
function packageVersion(script: string | undefined): string | undefined {
  if (script === undefined) return undefined;
  let dir: string;
  try {
    dir = path.dirname(realpathSync(script));
  } catch {
    return undefined;
  }
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here, or not JSON: keep walking up.
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// A closed pipe (`| head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`langsmith-otel-bridge: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
