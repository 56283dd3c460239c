// SDK 3.x leg fixture (e2e-http.sdk3.ts): a loopback HTTP service run as
//   node --import langsmith-otel-bridge/register http-service.mjs
// ROLE=back answers with the headers it received, inside a span of its own.
// ROLE=front calls BACK_URL with node:http (GET /via-http) or fetch
// (GET /via-fetch) inside a span and answers with what back saw.
// Prints `LISTENING <port>`; on SIGTERM flushes the global provider and exits.
// `get` as a named ESM import: the bridge must have synced the patched builtin exports.
import http, { get } from 'node:http';
import { trace } from '@opentelemetry/api';

const role = process.env.ROLE;
const backUrl = process.env.BACK_URL;
const tracer = trace.getTracer(`sdk3-${role}`);

function getJson(url) {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

const server = http.createServer((req, res) => {
  const reply = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (role === 'back') {
    const span = tracer.startSpan('back work', { attributes: { 'langsmith.span.kind': 'tool' } });
    span.end();
    reply(200, { headers: req.headers });
    return;
  }
  tracer.startActiveSpan('route request', { attributes: { 'langsmith.span.kind': 'chain' } }, async (span) => {
    try {
      const back = req.url === '/via-fetch' ? await (await fetch(`${backUrl}/work`)).json() : await getJson(`${backUrl}/work`);
      reply(200, { back, front: { traceId: span.spanContext().traceId } });
    } catch (err) {
      reply(500, { error: String(err && err.stack) });
    } finally {
      span.end();
    }
  });
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));

let stopping = false;
process.on('SIGTERM', async () => {
  if (stopping) return;
  stopping = true;
  server.close();
  try {
    const provider = trace.getTracerProvider();
    const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
    await delegate.forceFlush?.();
  } catch (err) {
    process.stderr.write(`flush failed: ${err && err.stack}\n`);
    process.exit(1);
  }
  process.exit(0);
});
