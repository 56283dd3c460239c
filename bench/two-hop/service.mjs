// One hop of the two-hop benchmark: ROLE=front calls BACK_URL, ROLE=back answers.
// Instrumented by whatever --import loaded (the bridge or plain OTel).
import http from 'node:http';
import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('bench-service');
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const role = process.env.ROLE;
const backUrl = process.env.BACK_URL;

function callBack() {
  return new Promise((resolve, reject) => {
    const req = http.request(backUrl, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end('{"q":"x"}');
  });
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    tracer.startActiveSpan('handle', async (span) => {
      try {
        if (role === 'front') await callBack();
        // A little work, as a real handler would do.
        let acc = 0;
        for (let i = 0; i < 2000; i++) acc += Math.sqrt(i);
        span.setAttribute('acc', acc);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch (err) {
        res.writeHead(502).end(String(err));
      } finally {
        span.end();
      }
    });
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));
process.on('SIGTERM', async () => {
  server.close();
  const bridge = globalThis.__benchShutdown ?? (await import('../../dist/esm/index.js').then((m) => () => m.getRegisteredBridge?.()?.shutdown()));
  await bridge?.();
  process.exit(0);
});
