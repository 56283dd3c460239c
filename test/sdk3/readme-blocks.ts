/**
 * What the README checks share across the SDK lines: the fenced blocks of
 * README.md, the strict tsconfig a user's app compiles them with, and the
 * REST-mode environment of the `runTreeForActiveSpan()` recipe. Imported by
 * test/readme.test.ts and test/langsmith-range.test.ts (SDK 2.x) and by
 * readme-recipes.sdk3.ts, which scripts/sdk3-leg.sh copies with the rest of
 * test/sdk3/ into its 3.x project: so nothing here but plain TypeScript (no
 * vitest, no path into the repository).
 */

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** The block's text, the list indentation of its fence removed. */
  code: string;
  firstLine: string;
}

/** Fenced blocks, by line: an opening fence (any indentation) up to the fence with the same indentation. */
export function readmeBlocks(readme: string): ReadmeBlock[] {
  const lines = readme.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j] !== `${indent}\`\`\``; j++) body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!);
    if (j === lines.length) throw new Error(`README.md:${i + 1}: a fence that never closes`);
    blocks.push({ line: i + 1, lang: open[2]!, code: body.join('\n') + '\n', firstLine: body[0]!.trim() });
    i = j;
  }
  return blocks;
}

/** The tsconfig.json the README's TypeScript blocks (as `*.mts` beside it) are compiled with: `tsc --strict`, module NodeNext, into `out/`. */
export const STRICT_TSCONFIG = JSON.stringify({
  compilerOptions: {
    strict: true,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    types: ['node'],
    outDir: 'out',
    rootDir: '.',
    skipLibCheck: false,
  },
  include: ['*.mts'],
});

/** REST mode against the local ingest at `ingestUrl`: the langsmith Client posts runs there, the bridge's OTLP export goes there too. */
export function restModeEnv(ingestUrl: string, project: string): Record<string, string> {
  return {
    LANGSMITH_TRACING: 'true',
    LANGSMITH_ENDPOINT: ingestUrl,
    LANGSMITH_API_KEY: 'test',
    LANGSMITH_PROJECT: project,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ingestUrl}/otel/v1/traces`,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=test',
  };
}
