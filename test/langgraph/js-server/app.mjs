/**
 * The JS Agent Server's custom HTTP app (`http.app` in langgraph.json):
 * one middleware that exposes the standard trace headers as `x-*`, which
 * the server copies into the run's `configurable`.
 */
import { Hono } from 'hono';

const { exposeTraceHeaders } = await import(`${process.env.BRIDGE_DIST}/langgraph/index.js`);

export const app = new Hono();
app.use('*', async (c, next) => {
  exposeTraceHeaders(c.req.raw.headers);
  await next();
});
