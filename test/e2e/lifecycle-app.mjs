// A host app for test/lifecycle.test.ts, started with `node --import <snapshot>/dist/esm/register.js`.
// APP_SPANS spans are ended, then by APP_MODE:
//   exit     print "app done <epoch ms>", set process.exitCode = APP_EXIT_CODE, let the loop empty
//   exit-now print "app done <epoch ms>", then process.exit(APP_EXIT_CODE) at once (no flush possible)
//   serve    keep an HTTP server open; print "ready"; no signal handler of its own
//   handler  as serve, with the app's own SIGTERM handler: the CommonJS build's
//            getRegisteredBridge().shutdown(), then process.exit(APP_EXIT_CODE)
import { createRequire } from 'node:module';
import http from 'node:http';
import { trace } from '@opentelemetry/api';
import * as esm from 'langsmith-otel-bridge';

const cjs = createRequire(import.meta.url)('langsmith-otel-bridge');
const mode = process.env.APP_MODE ?? 'exit';
const tracer = trace.getTracer('lifecycle-app');
for (let i = 0; i < Number(process.env.APP_SPANS ?? 5); i++) tracer.startActiveSpan(`work ${i}`, (span) => span.end());
console.log(`registry esm=${esm.getRegisteredBridge() !== undefined} cjs=${cjs.getRegisteredBridge() !== undefined}`);

if (mode === 'exit') {
  console.log(`app done ${Date.now()}`);
  process.exitCode = Number(process.env.APP_EXIT_CODE ?? 0);
} else if (mode === 'exit-now') {
  console.log(`app done ${Date.now()}`);
  process.exit(Number(process.env.APP_EXIT_CODE ?? 0));
} else {
  const server = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', () => console.log('ready'));
  if (mode === 'handler') {
    process.on('SIGTERM', async () => {
      const started = Date.now();
      await cjs.getRegisteredBridge()?.shutdown();
      console.log(`shutdown took ${Date.now() - started} ms`);
      server.close();
      process.exit(Number(process.env.APP_EXIT_CODE ?? 0));
    });
  }
}
