/**
 * Demo search service, LangSmith-native: no OpenTelemetry at all. It
 * continues the caller's trace with `RunTree.fromHeaders` + `withRunTree`
 * (LangSmith's documented recipe) and reports through the `langsmith` Client
 * to LANGSMITH_ENDPOINT — in the embedded demo, the local ingest endpoint.
 */
import { Client, RunTree } from 'langsmith';
import { traceable, withRunTree } from 'langsmith/traceable';
import { serve, sleep } from '../common.js';

const client = new Client();
const DOCS = [
  { id: 'doc-1', text: 'OpenTelemetry propagates context with traceparent.' },
  { id: 'doc-2', text: 'LangSmith propagates context with langsmith-trace and baggage.' },
  { id: 'doc-3', text: 'The bridge converts between the two.' },
];

const rank = traceable(
  async (query: string) => {
    await sleep(5);
    const words = query.toLowerCase().split(/\W+/).filter(Boolean);
    return DOCS.map((d) => ({ ...d, score: words.filter((w) => d.text.toLowerCase().includes(w)).length }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 2);
  },
  { name: 'rank', run_type: 'chain', client },
);

const search = traceable(
  async (query: string) => {
    if (/fail/i.test(query)) throw new Error(`index unavailable for query "${query}"`);
    // DEMO_SLOW_MS: a query containing "slow" takes this much longer (the stack test's slow traces).
    if (/slow/i.test(query)) await sleep(Number(process.env.DEMO_SLOW_MS ?? 0));
    const ranked = await rank(query);
    return { documents: ranked.map((d) => ({ page_content: d.text, metadata: { id: d.id, score: d.score } })) };
  },
  { name: 'search-index', run_type: 'retriever', client },
);

serve(
  {
    '/search': async (body, req) => {
      const query = String((body as { query?: unknown }).query ?? '');
      const parent = RunTree.fromHeaders(req.headers as Record<string, string>, { client });
      try {
        const result = parent ? await withRunTree(parent, () => search(query)) : await search(query);
        return { status: 200, body: result };
      } catch (err) {
        return { status: 500, body: { error: (err as Error).message } };
      }
    },
  },
  () => client.awaitPendingTraceBatches(),
);
