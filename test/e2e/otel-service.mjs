/**
 * E2E helper: an OpenTelemetry service configured only the way a user does it,
 *
 *   node --import <repo>/dist/esm/register.js test/e2e/otel-service.mjs
 *
 * with LANGSMITH_OTEL_ENABLED=true, LANGSMITH_OTEL_TRUST, and either
 * LANGSMITH_API_KEY + LANGSMITH_ENDPOINT (direct) or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (OTLP). No bridge code here but the
 * public `getSpanLineage`, read to report ids back to the test.
 *
 * Any method, any path but GET /health: reads an optional JSON body
 * `{question}`, opens INTERNAL span `<SERVICE>-handle` under the HTTP server
 * span, and when NEXT_URL is set POSTs `{question}` there with the global
 * `fetch` (instrumented: the bridge's propagator injects the headers). A
 * question matching FAIL_ON (a regex) fails here: the span records the
 * exception and the answer is 500; a downstream answer >= 400 fails the span
 * too and is answered with 502. The answer: `{service, server, handle,
 * downstream}` with the OTel and LangSmith ids of both spans.
 *
 * Binds 127.0.0.1 on a free port, prints `LISTENING <port>`; on SIGTERM it
 * flushes the global tracer provider and exits.
 */
import http from 'node:http';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { getSpanLineage } from '../../dist/esm/index.js';

const SERVICE = process.env.SERVICE ?? 'svc';
const NEXT_URL = process.env.NEXT_URL;
const FAIL_ON = process.env.FAIL_ON ? new RegExp(process.env.FAIL_ON, 'i') : undefined;
const tracer = trace.getTracer(`e2e-${SERVICE}`);

function ids(span) {
  if (!span) return null;
  const sc = span.spanContext();
  const lineage = getSpanLineage(span);
  return {
    traceId: sc.traceId,
    spanId: sc.spanId,
    runId: lineage?.runId ?? null,
    parentRunId: lineage?.parentRunId ?? null,
    lsTraceId: lineage?.lsTraceId ?? null,
    dottedOrder: lineage?.dottedOrder ?? null,
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(req) {
  const serverSpan = trace.getActiveSpan();
  const text = await readBody(req);
  let question = '';
  try {
    question = text ? String(JSON.parse(text).question ?? '') : '';
  } catch {
    question = text;
  }
  return tracer.startActiveSpan(`${SERVICE}-handle`, { attributes: { 'langsmith.span.kind': 'chain', 'input.value': question || '(none)' } }, async (span) => {
    const out = { service: SERVICE, server: ids(serverSpan), handle: ids(span), downstream: null };
    try {
      if (FAIL_ON?.test(question)) throw new Error(`${SERVICE} refuses "${question}"`);
      if (NEXT_URL) {
        const res = await fetch(NEXT_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ question }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = await res.text();
        try {
          out.downstream = { status: res.status, body: JSON.parse(body) };
        } catch {
          out.downstream = { status: res.status, body };
        }
        if (res.status >= 400) {
          const err = new Error(`${SERVICE}: downstream answered ${res.status}`);
          span.recordException(err);
          span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
          return { status: 502, out };
        }
      }
      span.setAttribute('output.value', JSON.stringify({ ok: true }));
      return { status: 200, out };
    } catch (err) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      return { status: 500, out: { ...out, error: err.message } };
    } finally {
      span.end();
    }
  });
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  handle(req).then(
    ({ status, out }) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out)),
    (err) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) })),
  );
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  // The register entry installed a tracer provider; flush it as any app would on SIGTERM.
  const provider = trace.getTracerProvider();
  const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
  try {
    await delegate.shutdown?.();
  } catch (err) {
    process.stderr.write(`shutdown: ${err.message}\n`);
  }
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
