// The OTLP receiver for the two-hop benchmark: accepts and discards, in a
// process of its own, so receiving (the same for every variant's exporter)
// does not compete with the load generator. Each variant exports to its own
// path prefix (/<variant>/otel/v1/traces); GET /stats answers the bytes and
// requests received per variant so far, as the exporters sent them.
import http from 'node:http';

const received = {};
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
    return;
  }
  const variant = req.url.split('/')[1] || 'unknown';
  const stats = (received[variant] ??= { bytes: 0, requests: 0 });
  stats.requests++;
  req.on('data', (chunk) => (stats.bytes += chunk.length));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
