// The module surface scripts/fuzz.mjs drives: the root export plus the codecs,
// which moved from a root `codecs` namespace to the `/codecs` subpath (issue 13).
export * from '../../src/index.js';
export * as codecs from '../../src/headers/index.js';
