/**
 * Runs of one trace → trees, by `parent_run_id`, children in dotted order
 * (start time, then id). Shared by the tree printer sink, the `tree` CLI and
 * the demo; the ingest server resolves its own lineage first (run-store.ts).
 */
import type { TreeRun } from './format-tree.js';

/** What assembling a tree needs of a run, beyond what a line shows. */
export interface TreeInputRun extends TreeRun {
  parent_run_id?: string | undefined;
  dotted_order?: string | undefined;
}

export interface TreeNode<R extends TreeRun = TreeRun> {
  run: R;
  children: TreeNode<R>[];
}

/** A root, plus any run whose parent is missing as its own tree; every level sorted by dotted order. */
export function buildTree<R extends TreeInputRun>(runs: readonly R[]): TreeNode<R>[] {
  const nodes = new Map<string, TreeNode<R>>();
  for (const run of runs) nodes.set(run.id, { run, children: [] });
  const roots: TreeNode<R>[] = [];
  for (const node of nodes.values()) {
    const parent = node.run.parent_run_id ? nodes.get(node.run.parent_run_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const order = (n: TreeNode<R>): string => n.run.dotted_order ?? '';
  const byOrder = (a: TreeNode<R>, b: TreeNode<R>): number => (order(a) < order(b) ? -1 : 1);
  for (const node of nodes.values()) node.children.sort(byOrder);
  return roots.sort(byOrder);
}
