/** Small helpers shared by the demo services: JSON over node:http, readiness, shutdown. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (body: unknown, req: http.IncomingMessage) => Promise<{ status: number; body: unknown }>;

/** Serves POST routes on 127.0.0.1 (or HOST), GET /health, and prints `LISTENING <port>` once ready. */
export function serve(routes: Record<string, Handler>, onShutdown: () => Promise<void>): http.Server {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const handler = req.method === 'POST' ? routes[req.url ?? ''] : undefined;
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid JSON"}');
        return;
      }
      handler(body, req).then(
        ({ status, body: out }) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out)),
        (err: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message })),
      );
    });
  });
  const port = Number(process.env.PORT ?? 0);
  server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
    process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close();
    onShutdown()
      .catch((err: Error) => process.stderr.write(`shutdown: ${err.message}\n`))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

/** POSTs JSON with the global fetch (instrumented through undici when the bridge is registered). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`set ${name} (e.g. ${name}=http://127.0.0.1:8081)\n`);
    process.exit(2);
  }
  return value;
}
