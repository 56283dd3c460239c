/**
 * The README's "LangGraph" custom HTTP app for the JS Agent Server, verbatim
 * below this comment (see graph.mjs for how the test loads it).
 */
import { Hono } from 'hono';
import { exposeTraceHeaders } from 'langsmith-otel-bridge/langgraph';

export const app = new Hono();
app.use('*', async (c, next) => {
  exposeTraceHeaders(c.req.raw.headers);
  await next();
});
