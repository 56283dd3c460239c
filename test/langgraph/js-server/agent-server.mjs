/**
 * A LangGraph JS Agent Server (the real `@langchain/langgraph-api`, in-memory,
 * what `npx @langchain/langgraph-cli dev` runs) serving ./graph.mjs as
 * `agent` with the custom HTTP app ./app.mjs, for the tests in test/langgraph/:
 *
 *   node --import <bridge>/dist/esm/register.js agent-server.mjs
 *
 * Env: PORT (required), GRAPH_DIR (where graph.mjs and app.mjs are), STATE_DIR
 * (the server's in-memory store is persisted there). Prints `LISTENING <port>` once the server answers; SIGTERM: the
 * bridge's register flushes and exits.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@langchain/langgraph-api/server';

const graphDir = process.env.GRAPH_DIR ?? path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT);
await startServer({
  port,
  nWorkers: 2,
  host: '127.0.0.1',
  cwd: process.env.STATE_DIR,
  graphs: { agent: path.join(graphDir, 'graph.mjs') + ':graph' },
  http: { app: path.join(graphDir, 'app.mjs') + ':app' },
});
process.stdout.write(`LISTENING ${port}\n`);
