/**
 * Trace trees for a terminal: assembly and formatting, used by the tree
 * printer sink (library runtime), the `tree` CLI, the demo and the dev
 * ingest server. Imports nothing from sinks/, ingest/ or cli/.
 */
export { buildTree, type TreeInputRun, type TreeNode } from './build-tree.js';
export { formatDuration, formatTree, type FormatTreeOptions, type PrintableTree, type TreeRun } from './format-tree.js';
