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
import contextlib, hmac, json, os
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

# ---- the README's factory, verbatim ----

_TOKENS = [t.encode() for t in os.environ.get("LANGSMITH_OTEL_TRUST_TOKEN", "").split(",") if len(t) >= 16]

def _trusted(configurable):
    presented = configurable.get("x-langsmith-trust")
    return isinstance(presented, str) and any(hmac.compare_digest(presented.encode(), t) for t in _TOKENS)

def _caller_headers(configurable):
    trace = configurable.get("langsmith-trace")
    if not isinstance(trace, str) or not trace:
        return None
    members = []
    if isinstance(configurable.get("langsmith-metadata"), dict):
        members.append("langsmith-metadata=" + quote(json.dumps(configurable["langsmith-metadata"]), safe=""))
    if isinstance(configurable.get("langsmith-tags"), list):
        members.append("langsmith-tags=" + quote(",".join(map(str, configurable["langsmith-tags"])), safe=""))
    if isinstance(configurable.get("langsmith-project"), str):
        members.append("langsmith-project=" + quote(configurable["langsmith-project"], safe=""))
    return {"langsmith-trace": trace, **({"baggage": ",".join(members)} if members else {})}

@contextlib.asynccontextmanager
async def graph(config):
    configurable = config.get("configurable") or {}
    headers = _caller_headers(configurable) if _trusted(configurable) else None
    if headers is None:
        yield compiled  # untrusted or no context: a new root
        return
    with ls.tracing_context(parent=headers, enabled=True):
        yield compiled
