// The OTLP receiver for the two-hop benchmark: accepts and discards, in a
// process of its own, so receiving (the same for both variants' exporters)
// does not compete with the load generator.
import http from 'node:http';

let bytes = 0;
const server = http.createServer((req, res) => {
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));
process.on('SIGTERM', () => {

  process.exit(0);
});
