#!/usr/bin/env node
/**
 * The `langsmith-otel-bridge` command line. No framework: two commands, a
 * hand-written argv loop each, `--help` everywhere, exit status 2 for usage
 * errors. Kept free of `import.meta` so the CommonJS build compiles it too.
 */
import { INSPECT_HELP, runInspect } from './inspect.js';
import { runTree, TREE_HELP } from './tree.js';

const HELP = `Usage: langsmith-otel-bridge <command> [options]

Commands:
  inspect   decode traceparent / tracestate / langsmith-trace / baggage headers:
            both id worlds side by side, their consistency, what is invalid
  tree      print the runs of a local sink file (.langsmith-otel/runs.jsonl)
            as one tree per trace
  help      show this help, or a command's: help <command>

Run 'langsmith-otel-bridge <command> --help' for a command's options.
`;

const COMMAND_HELP: Record<string, string> = { inspect: INSPECT_HELP, tree: TREE_HELP };

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const out = (text: string) => void process.stdout.write(text);
  const err = (text: string) => void process.stderr.write(text);
  switch (command) {
    case undefined:
      err(HELP);
      return 2;
    case '-h':
    case '--help':
      out(HELP);
      return 0;
    case 'help': {
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
  err(`langsmith-otel-bridge: unknown command ${JSON.stringify(name)}. Run 'langsmith-otel-bridge --help' for the commands (inspect, tree).\n`);
  return 2;
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
