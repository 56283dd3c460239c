"""A FastAPI service traced with the Python LangSmith SDK, for the interop tests.

Run as a script: binds 127.0.0.1 on a free port itself (no bind race), prints
`LISTENING <port>` on stdout, then serves until SIGTERM/SIGINT.

Routes
  GET  /health   liveness probe
  POST /echo     a @traceable handler behind TracingMiddleware; returns (and
                 records) the handler's run-tree fields and the headers it got
  GET  /records  everything /echo recorded, in order
  POST /call     body {url, project?, tags?, metadata?}: inside nested
                 @traceable functions, sends an httpx GET to `url` with
                 get_current_run_tree().to_headers(); returns what it sent, the
                 runs' fields and the response

Network safety: LangSmith tracing is on (TracingMiddleware only continues a
trace when tracing is enabled for the handler), so runs are posted, but only to
LANGSMITH_ENDPOINT, which must be a loopback URL (the test's capture server).
The app refuses to start otherwise.
"""
from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

_endpoint = os.environ.get("LANGSMITH_ENDPOINT", "")
if urlparse(_endpoint).hostname not in ("127.0.0.1", "localhost", "::1"):
    print(
        f"middleware_app: LANGSMITH_ENDPOINT must be a loopback URL, got {_endpoint!r}",
        file=sys.stderr,
    )
    sys.exit(2)
os.environ.pop("LANGCHAIN_ENDPOINT", None)
os.environ.pop("LANGSMITH_RUNS_ENDPOINTS", None)
os.environ.setdefault("LANGSMITH_API_KEY", "test")
os.environ.setdefault("LANGSMITH_TRACING", "true")

import httpx  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402
from langsmith import traceable  # noqa: E402
from langsmith.middleware import TracingMiddleware  # noqa: E402
from langsmith.run_helpers import get_current_run_tree  # noqa: E402
from run_fields import run_fields  # noqa: E402  (this directory is on sys.path: run as a script)

app = FastAPI()
app.add_middleware(TracingMiddleware)

RECORDS: list[dict] = []


@app.get("/health")
async def health() -> dict:
    return {"ok": True}


@traceable(name="echo_handler")
async def echo_handler(path: str) -> dict:
    return {"path": path, "run": run_fields(get_current_run_tree())}


@app.post("/echo")
async def echo(request: Request) -> dict:
    result = await echo_handler(request.url.path)
    result["headers"] = {k: v for k, v in request.headers.items()}
    RECORDS.append(result)
    return result


@app.get("/records")
async def records() -> list:
    return RECORDS


@traceable(name="outbound_call")
async def outbound_call(url: str) -> dict:
    run = get_current_run_tree()
    headers = run.to_headers() if run is not None else {}
    async with httpx.AsyncClient(timeout=10.0) as client:
        response = await client.get(url, headers=headers)
    return {
        "sent": headers,
        "run": run_fields(run),
        "status": response.status_code,
        "response": response.text,
    }


@traceable(name="call_handler")
async def call_handler(url: str) -> dict:
    result = await outbound_call(url)
    result["parent_run"] = run_fields(get_current_run_tree())
    return result


@app.post("/call")
async def call(request: Request) -> dict:
    body = await request.json()
    extra = {}
    if body.get("project"):
        extra["project_name"] = body["project"]
    if body.get("tags"):
        extra["tags"] = list(body["tags"])
    if body.get("metadata"):
        extra["metadata"] = dict(body["metadata"])
    return await call_handler(body["url"], langsmith_extra=extra)


def _exit_with_parent() -> None:
    """Exit when the process that started us dies (no leaked services)."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    import uvicorn

    _exit_with_parent()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    print(f"LISTENING {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
