// The dependency map of src/ (issue 13): for each folder or top-level module,
// the other modules of src/ it may import. The data flows header in → context →
// span → run → sink; nothing from ingest/ or cli/ (the dev ingest server and the
// CLI) is reachable from the library's runtime path, so they never load in
// production. README.md "Architecture" states the same map, one line per entry,
// and test/package.test.ts checks the two agree.
//
// A name is a folder (`src/headers/`) or a top-level file without `.ts`
// (`src/constants.ts` is `constants`).

const LEAVES = ['constants', 'errors', 'time'];

/** @type {Record<string, readonly string[]>} */
export const LAYERS = {
  // Leaves: no imports from src/ other than the ones listed.
  constants: [],
  errors: [],
  time: [],
  terminal: [],
  notices: ['terminal'],
  // Header in: the pure codecs.
  headers: ['constants', 'time'],
  // Context: the OTel context keys shared by the propagator, lineage and trust.
  context: ['headers', ...LEAVES],
  trust: ['context', 'headers', ...LEAVES],
  lineage: ['context', 'headers', 'notices', ...LEAVES],
  propagator: ['context', 'headers', 'lineage', 'trust', 'notices', ...LEAVES],
  // Span → run.
  mapping: ['context', 'headers', 'lineage', ...LEAVES],
  // A run tree as text: shared by sinks/ and ingest/.
  tree: ['terminal', ...LEAVES],
  // Run → sink.
  sinks: ['mapping', 'tree', 'notices', 'terminal', ...LEAVES],
  processor: ['context', 'headers', 'lineage', 'propagator', 'mapping', 'sinks', 'notices', ...LEAVES],
  setup: ['context', 'headers', 'trust', 'lineage', 'propagator', 'mapping', 'processor', 'sinks', 'notices', 'terminal', ...LEAVES],
  langgraph: ['context', 'headers', 'trust', 'lineage', 'propagator', 'mapping', 'setup', 'notices', ...LEAVES],
  // The package's entry points.
  index: ['context', 'headers', 'trust', 'lineage', 'propagator', 'mapping', 'processor', 'sinks', 'setup', ...LEAVES],
  register: ['setup'],
  'register-cjs': ['setup'],
  // Off the runtime path: the dev ingest server, the CLI, the demo services.
  ingest: ['headers', 'mapping', 'tree', 'notices', 'terminal', ...LEAVES],
  cli: ['headers', 'context', 'mapping', 'tree', 'sinks', 'ingest', 'notices', 'terminal', ...LEAVES],
  demo: ['headers', 'setup', 'ingest', 'tree', 'notices', 'terminal', ...LEAVES],
};

// The rules match the import string, not the resolved file: from a nested folder
// (src/ingest/otlp/) `../time.js` would match `time` even when it names a sibling
// in the same folder. No such sibling exists today; a test
// (test/package.test.ts) lints one probe file per entry to keep the rules honest.
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function restrictedFor(name, prefix) {
  const allowed = new Set([name, ...LAYERS[name]]);
  const denied = Object.keys(LAYERS).filter((other) => !allowed.has(other));
  if (denied.length === 0) return [];
  return [
    {
      // `../ingest/x.js`, `../../ingest/x.js`, `../constants.js`; from a top-level file `./ingest/x.js`.
      regex: `^${prefix}(${denied.map(escape).join('|')})(/|\\.js$)`,
      message: `src/${name} may import only: ${LAYERS[name].join(', ') || 'nothing from src/'} (README "Architecture", eslint.layers.mjs).`,
    },
  ];
}

/**
 * Two flat-config blocks per entry of the map (`no-restricted-imports`, with the
 * modules it may not import): one for a folder, whose files reach the rest of
 * src/ through `../`, one for a top-level file, which reaches it through `./` —
 * so an entry may be either (src/time.ts today could become src/time/).
 */
export const layerRules = Object.keys(LAYERS).flatMap((name) => [
  { files: [`src/${name}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: restrictedFor(name, '(\\.\\./)+') }] } },
  { files: [`src/${name}.ts`], rules: { 'no-restricted-imports': ['error', { patterns: restrictedFor(name, '\\./') }] } },
]);
