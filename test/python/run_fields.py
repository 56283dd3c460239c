"""The run-tree fields the interop tests compare, shared by the helper scripts."""

from __future__ import annotations


def run_fields(run) -> dict | None:
    if run is None:
        return None
    return {
        "id": str(run.id),
        "trace_id": str(run.trace_id),
        "dotted_order": run.dotted_order,
        "parent_run_id": str(run.parent_run_id) if run.parent_run_id else None,
        "project_name": run.session_name,
        "tags": list(run.tags or []),
        "metadata": dict((run.extra or {}).get("metadata") or {}),
    }
