/**
 * E2E helper: a LangSmith-native JS service, no OpenTelemetry at all.
 * LangSmith's documented recipe: `RunTree.fromHeaders(req.headers)` +
 * `withRunTree` + `traceable`, reporting through the `langsmith` Client to
 * LANGSMITH_ENDPOINT (LANGSMITH_TRACING=true, LANGSMITH_API_KEY). It calls
 * NEXT_URL with `getCurrentRunTree().toHeaders()`: a LangSmith-only hop, no
 * `traceparent`.
 *
 * POST any path, body `{question}`: `b-handle` (chain) → `b-call-next`
 * (tool), which POSTs `{question}` to NEXT_URL and throws on an answer >= 400
 * (the request is then answered 500). Answer: `{service, parent, runs,
 * sent, downstream}`.
 *
 * Binds 127.0.0.1 on a free port, prints `LISTENING <port>`; on SIGTERM it
 * awaits the Client's pending batches and exits.
 */
import http from 'node:http';
import { Client, RunTree } from 'langsmith';
import { getCurrentRunTree, traceable, withRunTree } from 'langsmith/traceable';

const SERVICE = process.env.SERVICE ?? 'native';
const NEXT_URL = process.env.NEXT_URL;
const client = new Client();

const fields = (run) => ({ id: run.id, trace_id: run.trace_id, parent_run_id: run.parent_run_id ?? null, dotted_order: run.dotted_order });

/** The two traceables of one request, closing over what the answer reports. */
function traceables(record) {
  const callNext = traceable(
    async (question) => {
      const run = getCurrentRunTree();
      record.runs.push({ name: 'b-call-next', ...fields(run) });
      if (!NEXT_URL) return { skipped: true };
      const headers = run.toHeaders();
      record.sent = headers;
      const res = await fetch(NEXT_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ question }),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      try {
        record.downstream = { status: res.status, body: JSON.parse(text) };
      } catch {
        record.downstream = { status: res.status, body: text };
      }
      if (res.status >= 400) throw new Error(`${SERVICE}: ${NEXT_URL} answered ${res.status}`);
      return { status: res.status };
    },
    { name: 'b-call-next', run_type: 'tool', client },
  );
  return traceable(
    async (question) => {
      record.runs.push({ name: 'b-handle', ...fields(getCurrentRunTree()) });
      const result = await callNext(question);
      return { answer: `handled "${question}"`, result };
    },
    { name: 'b-handle', run_type: 'chain', client },
  );
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  const text = await readBody(req);
  const question = text ? String(JSON.parse(text).question ?? '') : '';
  const record = { service: SERVICE, parent: null, runs: [], sent: null, downstream: null };
  const parent = RunTree.fromHeaders(req.headers, { client });
  if (parent) record.parent = fields(parent);
  try {
    const handleQuestion = traceables(record);
    const run = () => handleQuestion(question);
    await (parent ? withRunTree(parent, run) : run());
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(record));
  } catch (err) {
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ ...record, error: err.message }));
  }
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  try {
    await client.awaitPendingTraceBatches();
  } catch (err) {
    process.stderr.write(`shutdown: ${err.message}\n`);
  }
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
