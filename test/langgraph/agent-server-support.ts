/**
 * Shared by the Agent Server tests (JS and Python servers): the trusted
 * gateway upstream the caller continues, the caller's own bridge, and waiting
 * for the ingest to settle.
 */
import { randomUUID } from 'node:crypto';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { Client } from '@langchain/langgraph-sdk';
import { expect } from 'vitest';
import { getRegisteredBridge, registerLangSmithBridge } from '../../src/index.js';
import type { IngestedRun, IngestServer, RunNode } from '../../src/ingest/index.js';
import { agentServerRequestHook } from '../../src/langgraph/index.js';

export const TOKEN = 'gateway-token-0123456789abcdef';
export const CALLER_PROJECT = 'caller proj/é';
export const METADATA = { tenant: 'acme', 'request id': 'r-1/é' };
export const TAGS = ['from-gateway', 'é tag'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function dottedSegment(date: Date, id: string): string {
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}${pad(date.getUTCMilliseconds(), 3)}000Z${id}`;
}

/** A gateway's run, posted to the ingest untraced: the trusted upstream of the caller, and the headers naming it. */
export async function postUpstream(ingest: IngestServer): Promise<{ id: string; headers: Record<string, string> }> {
  const id = randomUUID();
  const start = new Date(Date.now() - 50);
  const run = {
    id,
    trace_id: id,
    dotted_order: dottedSegment(start, id),
    name: 'gateway',
    run_type: 'chain',
    inputs: {},
    outputs: {},
    start_time: start.toISOString(),
    end_time: new Date().toISOString(),
    session_name: CALLER_PROJECT,
    extra: { metadata: METADATA },
    tags: TAGS,
  };
  await context.with(suppressTracing(ROOT_CONTEXT), async () => {
    const res = await fetch(`${ingest.url}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'graph-key' },
      body: JSON.stringify(run),
    });
    expect(res.status).toBeLessThan(300);
  });
  const baggage = [
    `langsmith-metadata=${encodeURIComponent(JSON.stringify(METADATA))}`,
    `langsmith-tags=${encodeURIComponent(TAGS.join(','))}`,
    `langsmith-project=${encodeURIComponent(CALLER_PROJECT)}`,
  ].join(',');
  return { id, headers: { 'langsmith-trace': run.dotted_order, baggage } };
}

/** The caller (this process): the bridge registered in code, reporting to `ingest`. */
export async function registerCaller(ingest: IngestServer): Promise<void> {
  await registerLangSmithBridge({
    serviceName: 'caller',
    project: 'caller-default',
    langsmith: { apiKey: 'graph-key', apiUrl: ingest.url },
    file: false,
    langsmithOtelMode: false,
    // The ingest server runs in this process: an instrumented `http` server
    // would trace its own ingest requests, forever. The caller needs `fetch` only.
    instrumentHttp: false,
  });
}

/** The caller's Agent Server client: the gateway token, and `agentServerRequestHook()` to carry the trace. */
export function trustedClient(serverUrl: string): Client {
  return new Client({ apiUrl: serverUrl, defaultHeaders: { 'x-langsmith-trust': TOKEN }, onRequest: agentServerRequestHook() });
}

/** Waits until `ready()` holds for the ingest's runs (at most `timeoutMs`), then until the ingest has been quiet for a while. */
export async function settle(ingest: IngestServer, ready: (names: string[]) => boolean, timeoutMs: number): Promise<void> {
  await getRegisteredBridge()!.forceFlush();
  const deadline = Date.now() + timeoutMs;
  while (!ready(ingest.runs().map((r) => r.name)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  let last = -1;
  for (let i = 0; i < 20 && ingest.runs().length !== last; i++) {
    last = ingest.runs().length;
    await new Promise((r) => setTimeout(r, 600));
  }
}

/** Runs each cleanup in order, ignoring failures. */
export async function runCleanups(cleanups: Array<() => Promise<unknown>>): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
}

export const find = (node: RunNode, name: string): RunNode | undefined =>
  node.run.name === name ? node : node.children.map((c) => find(c, name)).find(Boolean);
export const allRuns = (node: RunNode): IngestedRun[] => [node.run, ...node.children.flatMap(allRuns)];
