// The names the stack's files share: the files validated, the images and profiles
// compose runs, and what the Go builds are pinned by. Imported by every check module.

export const STACK_FILES = {
  collector: 'collector-config.yaml',
  loadBalancing: 'collector-config.loadbalancing.yaml',
  compose: 'docker-compose.yml',
  dockerfile: 'Dockerfile',
};

export const COLLECTOR_IMAGE = 'otel/opentelemetry-collector-contrib';
export const JAEGER_IMAGE = 'jaegertracing/jaeger';
export const SCALE_OUT_PROFILE = 'scale-out';
/** What the Go builds are pinned by (scripts/build-stack.sh). */
export const BUILD_FILES = {
  otelcolManifest: 'stack/otelcol-builder.yaml',
  jaegerGoMod: 'stack/jaeger/go.mod',
};
