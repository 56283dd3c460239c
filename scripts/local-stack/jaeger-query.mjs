// Jaeger's own query API, read back as plain traces (test/stack-live.test.ts asserts on them).

/**
 * A trace from Jaeger's own query API (`/api/traces/{id}`), as
 * `{ traceId, spans: [{ spanId, parentSpanId, service, name, tags }] }`, or
 * undefined when Jaeger does not have it (404).
 */
export async function jaegerTrace(queryUrl, traceId) {
  const res = await fetch(`${queryUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(10_000) });
  const body = await res.json().catch(() => ({}));
  if (res.status === 404 || !body.data?.length) return undefined;
  if (!res.ok) throw new Error(`Jaeger ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return fromJaegerTrace(body.data[0]);
}

/** Trace ids Jaeger holds for a service (`/api/traces?service=…`). */
export async function jaegerTraceIds(queryUrl, service, { limit = 100_000, lookback = '2h' } = {}) {
  const res = await fetch(`${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=${limit}&lookback=${lookback}`, {
    signal: AbortSignal.timeout(30_000),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`Jaeger ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return (body.data ?? []).map((t) => fromJaegerTrace(t));
}

function fromJaegerTrace(t) {
  const tags = (list) => Object.fromEntries((list ?? []).map((tag) => [tag.key, tag.value]));
  return {
    traceId: t.traceID.padStart(32, '0'),
    spans: t.spans.map((s) => ({
      spanId: s.spanID,
      parentSpanId: s.references?.find((r) => r.refType === 'CHILD_OF')?.spanID,
      service: t.processes?.[s.processID]?.serviceName,
      name: s.operationName,
      tags: tags(s.tags),
    })),
  };
}
