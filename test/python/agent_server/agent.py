"""The graph of a Python LangGraph Agent Server that continues its callers'
LangSmith traces: the README's "LangGraph" factory, run by
test/langgraph/python-agent-server.test.ts under `langgraph dev`.

The server copies the caller's `langsmith-trace` and the parsed LangSmith
baggage members (`langsmith-project`, `langsmith-metadata`,
`langsmith-tags`) into `configurable`, and `x-langsmith-trust` when
langgraph.json lists it in `http.configurable_headers.includes`. A request
body can set any of these keys: they are honoured only with the gateway's
token (LANGSMITH_OTEL_TRUST_TOKEN, comma-separated), the trust model of
langsmith-otel-bridge.

Two corrections to the factory on LangSmith's Agent Server page: it must be
an *async* context manager (`@contextlib.asynccontextmanager`; the page's
`@contextlib.contextmanager` on an `async def` raises TypeError), and the
parent must carry the caller's project: a bare dotted order as `parent`
links the runs but files them in the server's own project, so the parent is
given as the headers the caller sent (`langsmith-trace` + `baggage`).
"""
import contextlib
import hmac
import json
import os
from typing import TypedDict
from urllib.parse import quote

import langsmith as ls
from langgraph.graph import END, START, StateGraph


class State(TypedDict, total=False):
    question: str
    answer: str


def plan(state: State) -> State:
    return {"answer": f"plan for {state['question']}"}


def act(state: State) -> State:
    return {"answer": f"{state['answer']}: done"}


builder = StateGraph(State)
builder.add_node("plan", plan)
builder.add_node("act", act)
builder.add_edge(START, "plan")
builder.add_edge("plan", "act")
builder.add_edge("act", END)
compiled = builder.compile()

_TOKENS = [t.encode() for t in os.environ.get("LANGSMITH_OTEL_TRUST_TOKEN", "").split(",") if len(t) >= 16]


def _trusted(configurable: dict) -> bool:
    """The gateway's token, compared in constant time (x-langsmith-trust)."""
    presented = configurable.get("x-langsmith-trust")
    if not isinstance(presented, str) or not presented:
        return False
    return any(hmac.compare_digest(presented.encode(), token) for token in _TOKENS)


def _caller_headers(configurable: dict) -> dict | None:
    """The caller's `langsmith-trace` and `baggage`, rebuilt from configurable."""
    trace = configurable.get("langsmith-trace")
    if not isinstance(trace, str) or not trace:
        return None
    members = []
    metadata = configurable.get("langsmith-metadata")
    if isinstance(metadata, dict) and metadata:
        members.append("langsmith-metadata=" + quote(json.dumps(metadata), safe=""))
    tags = configurable.get("langsmith-tags")
    if isinstance(tags, list) and tags:
        members.append("langsmith-tags=" + quote(",".join(str(t) for t in tags), safe=""))
    project = configurable.get("langsmith-project")
    if isinstance(project, str) and project:
        members.append("langsmith-project=" + quote(project, safe=""))
    headers = {"langsmith-trace": trace}
    if members:
        headers["baggage"] = ",".join(members)
    return headers


@contextlib.asynccontextmanager
async def graph(config):
    configurable = config.get("configurable") or {}
    headers = _caller_headers(configurable) if _trusted(configurable) else None
    if headers is None:
        yield compiled  # an untrusted or context-free caller: a new root
        return
    with ls.tracing_context(parent=headers, enabled=True):
        yield compiled
