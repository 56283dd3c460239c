"""A LangSmith-native Python service calling a graph on an Agent Server with
LangGraph's RemoteGraph(distributed_tracing=True), for
test/langgraph/agent-server.test.ts.

    python remote_graph_caller.py <agent-server-url>

stdin: {"question", "project", "metadata", "tags", "token"}. The call runs
inside a @traceable run ("py-caller") under tracing_context(project_name,
metadata, tags); `token` (optional) is sent as the gateway's trust header via
RemoteGraph(headers=...). Runs go to LANGSMITH_ENDPOINT. Prints one JSON
document: the answer, the caller run's ids and dotted order, and the headers
RemoteGraph sent (captured from httpx's request event hook).
"""
import json
import sys

import httpx
import langsmith as ls
from langgraph.pregel.remote import RemoteGraph
from langgraph_sdk import get_sync_client


def main() -> None:
    url = sys.argv[1]
    args = json.load(sys.stdin)
    sent = []

    def capture(request: httpx.Request) -> None:
        if request.url.path.startswith("/runs"):
            sent.append({k.lower(): v for k, v in request.headers.items()})

    headers = {"x-langsmith-trust": args["token"]} if args.get("token") else None
    sync_client = get_sync_client(url=url, headers=headers)
    sync_client.http.client.event_hooks["request"].append(capture)
    remote = RemoteGraph("agent", sync_client=sync_client, distributed_tracing=True)
    client = ls.Client()

    @ls.traceable(name="py-caller", client=client)
    def ask(question: str) -> dict:
        run = ls.get_current_run_tree()
        out = remote.invoke({"question": question})
        return {
            "answer": out["answer"],
            "run_id": str(run.id),
            "trace_id": str(run.trace_id),
            "dotted_order": run.dotted_order,
        }

    with ls.tracing_context(project_name=args["project"], metadata=args["metadata"], tags=args["tags"], enabled=True):
        result = ask(args["question"])
    client.flush()
    result["sent"] = sent
    print(json.dumps(result))


if __name__ == "__main__":
    main()
