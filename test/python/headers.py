"""CLI used by test/interop/langsmith-python.test.ts: the Python LangSmith SDK's
own header codec (RunTree.to_headers / RunTree.from_headers), no network.

  to-headers    stdin {project, tags, metadata, depth}
                stdout {headers, runs: [{id, trace_id, dotted_order, parent_run_id}]}
  from-headers  stdin {<header>: <value>, ...}
                stdout {parent: {...}, child: {...}}

Errors: stdout {error}, exit code 1.
"""
from __future__ import annotations

import json
import os
import sys

# Never trace to a real endpoint: these runs are only built, never posted.
os.environ["LANGSMITH_TRACING"] = "false"
os.environ["LANGCHAIN_TRACING_V2"] = "false"
for _key in ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"):
    os.environ.pop(_key, None)
os.environ.setdefault("LANGSMITH_ENDPOINT", "http://127.0.0.1:9")

from run_fields import run_fields  # noqa: E402  (this directory is on sys.path: run as a script)


def to_headers(spec: dict) -> dict:
    from langsmith.run_trees import RunTree

    depth = int(spec.get("depth") or 1)
    if depth < 1:
        raise ValueError("depth must be >= 1")
    project = spec.get("project")
    tags = list(spec.get("tags") or [])
    metadata = dict(spec.get("metadata") or {})
    kwargs = {"project_name": project} if project else {}
    run = RunTree(
        name="py-root",
        run_type="chain",
        tags=tags,
        extra={"metadata": metadata},
        **kwargs,
    )
    runs = [run]
    for level in range(1, depth):
        # create_child inherits metadata and project but not tags.
        run = run.create_child(name=f"py-child-{level}", run_type="chain", tags=tags)
        runs.append(run)
    return {"headers": run.to_headers(), "runs": [run_fields(r) for r in runs]}


def from_headers(headers: dict) -> dict:
    from langsmith.run_trees import RunTree

    parent = RunTree.from_headers(headers)
    if parent is None:
        raise ValueError("RunTree.from_headers returned None (no langsmith-trace header)")
    child = parent.create_child(name="py-child", run_type="chain")
    return {"parent": run_fields(parent), "child": run_fields(child)}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in ("to-headers", "from-headers"):
        print(json.dumps({"error": "usage: headers.py to-headers|from-headers < input.json"}))
        return 1
    try:
        payload = json.loads(sys.stdin.read() or "{}")
        result = to_headers(payload) if argv[1] == "to-headers" else from_headers(payload)
    except Exception as exc:  # noqa: BLE001 - reported to the caller as JSON
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
