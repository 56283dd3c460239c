// The anchor: the same service instrumented with plain OpenTelemetry — W3C
// propagators, instrumentation-http, BatchSpanProcessor → OTLP (peer.mjs).
// Loaded with `node --import ./bench/two-hop/plain-otel.mjs service.mjs`.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startPeer } from './peer.mjs';

startPeer(new OTLPTraceExporter({ url: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT }), 'plain');
