// The peer a user would pick instead of the bridge: the same service with
// plain OpenTelemetry (W3C propagators, instrumentation-http; peer.mjs)
// exporting through a BatchSpanProcessor and `langsmith`'s own
// LangSmithOTLPTraceExporter (langsmith/experimental/otel/exporter), to the
// same local receiver. The exporter sends nothing unless LangSmith tracing is
// on (its export() checks LANGSMITH_TRACING), so bench/two-hop.mjs sets it for
// this variant.
import { LangSmithOTLPTraceExporter } from 'langsmith/experimental/otel/exporter';
import { startPeer } from './peer.mjs';

startPeer(new LangSmithOTLPTraceExporter({ url: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT }), 'langsmith');
