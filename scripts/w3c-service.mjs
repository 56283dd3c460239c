#!/usr/bin/env node
/**
 * A test service for the W3C trace-context conformance suite, built on the
 * published package (dist/esm; run `npm run build` first).
 *
 * Harness protocol (the suite's test/README.md): the harness POSTs a JSON
 * array; for each element `{ url, arguments }` the service POSTs `arguments`
 * (as JSON) to `url`, propagating its context, and answers once all of them
 * are done. This service does what an instrumented Node server does: extract
 * from `request.headers` with the global propagator (LangSmithPropagator with
 * `trust: true`), a SERVER span for the request, and a new CLIENT span per
 * callback, injected into the outgoing request. Tracer: NodeTracerProvider
 * with LangSmithLineageProcessor and AsyncLocalStorageContextManager; no
 * exporter (nothing leaves this machine but the callbacks).
 *
 * Usage: node scripts/w3c-service.mjs [--port N] [--propagator bridge|otel-core]
 *   --port        default 0 (any free port), or $W3C_SERVICE_PORT
 *   --propagator  default `bridge`, or $W3C_PROPAGATOR; `otel-core` runs OTel JS
 *                 core's CompositePropagator(W3CTraceContextPropagator,
 *                 W3CBaggagePropagator) instead, for comparison
 * Prints `w3c-service listening on http://127.0.0.1:PORT/test` once ready.
 * Stops on SIGTERM / SIGINT.
 */
import http from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { LangSmithLineageProcessor, LangSmithPropagator } from '../dist/esm/index.js';

const HOST = '127.0.0.1';
/** The harness waits 5 s per case by default; a callback never takes longer than that here. */
const CALLBACK_TIMEOUT_MS = 5_000;

function option(name, envName, fallback) {
  const i = process.argv.indexOf(name);
  return i === -1 ? (process.env[envName] ?? fallback) : process.argv[i + 1];
}

function fail(message) {
  console.error(`w3c-service: ${message}`);
  process.exit(2);
}

const port = Number(option('--port', 'W3C_SERVICE_PORT', '0'));
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0..65535');

async function makePropagator(name) {
  if (name === 'bridge') return new LangSmithPropagator({ trust: true });
  if (name === 'otel-core') {
    const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } = await import('@opentelemetry/core');
    return new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  }
  return fail(`--propagator must be bridge or otel-core, got ${JSON.stringify(name)}`);
}

const provider = new NodeTracerProvider({ spanProcessors: [new LangSmithLineageProcessor()] });
provider.register({
  contextManager: new AsyncLocalStorageContextManager(),
  propagator: await makePropagator(option('--propagator', 'W3C_PROPAGATOR', 'bridge')),
});
const tracer = trace.getTracer('w3c-service');

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** POSTs `body` as JSON with the active context injected; resolves with the status code. */
function callback(url, body) {
  const payload = JSON.stringify(body ?? []);
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) };
  propagation.inject(context.active(), headers);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false, timeout: CALLBACK_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error(`callback to ${url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function handle(req, res) {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const server = tracer.startSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER }, parent);
  try {
    const actions = JSON.parse((await readBody(req)) || '[]');
    await context.with(trace.setSpan(parent, server), async () => {
      for (const action of Array.isArray(actions) ? actions : []) {
        if (!action || typeof action.url !== 'string') continue;
        await tracer.startActiveSpan('POST', { kind: SpanKind.CLIENT }, async (span) => {
          try {
            const status = await callback(action.url, action.arguments);
            span.setAttribute('http.response.status_code', status);
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
          } finally {
            span.end();
          }
        });
      }
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('null');
  } catch (err) {
    server.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
  } finally {
    server.end();
  }
}

const httpServer = http.createServer((req, res) => void handle(req, res));
httpServer.listen(port, HOST, () => {
  console.log(`w3c-service listening on http://${HOST}:${httpServer.address().port}/test`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    httpServer.closeAllConnections();
    httpServer.close(() => void provider.shutdown().finally(() => process.exit(0)));
  });
}
