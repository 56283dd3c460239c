#!/usr/bin/env bash
# Builds the stack's two Go programs from the Go module proxy, no Docker:
#
#   otelcol-langsmith  the OpenTelemetry Collector, built by the Collector Builder
#                      (go.opentelemetry.io/collector/cmd/builder) from
#                      stack/otelcol-builder.yaml: exactly the otelcol-contrib
#                      components that collector-config*.yaml use, one release.
#   jaeger             Jaeger v2 (github.com/jaegertracing/jaeger/cmd/jaeger),
#                      pinned with its whole module graph by stack/jaeger/go.mod + go.sum.
#
# Both land in a cache outside the checkout (LANGSMITH_OTEL_STACK_CACHE, default
# ~/.cache/langsmith-otel-bridge/stack/), next to a stamp of the inputs they were
# built from; a binary whose stamp matches is reused, so a second run costs
# nothing. Go's own module and build caches (GOMODCACHE, GOCACHE) make a rebuild
# after an input change cheap too. Prints each build's time; on a failure, names
# the module that could not be fetched and where the full log is.
#
#   bash scripts/build-stack.sh            # build what is missing
#   bash scripts/build-stack.sh --paths    # print OTELCOL=… and JAEGER=… (no build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
manifest="$root/stack/otelcol-builder.yaml"
jaeger_mod="$root/stack/jaeger"
cache=${LANGSMITH_OTEL_STACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/langsmith-otel-bridge/stack}

# The versions come from the pinned inputs themselves, never from a second copy.
otelcol_version=$(awk '/^dist:/{d=1;next} d&&/^[^ #]/{d=0} d&&$1=="version:"{print $2; exit}' "$manifest")
jaeger_version=$(awk '$1=="github.com/jaegertracing/jaeger"{print $2; exit}' "$jaeger_mod/go.mod")
otelcol_dir="$cache/otelcol-$otelcol_version"
jaeger_dir="$cache/jaeger-$jaeger_version"
otelcol_bin="$otelcol_dir/otelcol-langsmith"
jaeger_bin="$jaeger_dir/jaeger"

if [ "${1:-}" = "--paths" ]; then
  printf 'OTELCOL=%s\nJAEGER=%s\n' "$otelcol_bin" "$jaeger_bin"
  exit 0
fi

say() { printf 'build-stack: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

command -v go >/dev/null 2>&1 || die "no go command on PATH: install Go ≥ 1.24 (this machine has $(head -1 /usr/local/go/VERSION 2>/dev/null || echo "no Go in /usr/local/go"))."
[ -n "$otelcol_version" ] || die "no dist.version in $manifest"
[ -n "$jaeger_version" ] || die "no github.com/jaegertracing/jaeger requirement in $jaeger_mod/go.mod"

mkdir -p "$cache"
# One build at a time per cache (npm run stack and the stack test may start together).
exec 9>"$cache/.lock"
flock 9

# The module that a failed `go` command could not fetch, from its log, as one line.
explain_failure() {
  local log=$1 what=$2 line
  line=$(grep -m1 -E 'reading https?://[^ ]+/@v/[^ ]+: [0-9]{3}' "$log" || true)
  if [ -n "$line" ]; then
    local url status mod ver
    url=$(sed -E 's#.*reading (https?://[^ ]+): ([0-9]{3}).*#\1#' <<<"$line")
    status=$(sed -E 's#.*reading (https?://[^ ]+): ([0-9]{3}.*)#\2#' <<<"$line")
    mod=$(sed -E 's#^https?://[^/]+/(.*)/@v/.*#\1#' <<<"$url")
    ver=$(sed -E 's#.*/@v/(.*)\.(zip|mod|info)$#\1#' <<<"$url")
    say "$what failed: could not fetch module $mod@$ver from the Go module proxy ($status)."
  elif line=$(grep -m1 -E 'dial tcp|Could not resolve host|no such host|i/o timeout|TLS handshake' "$log"); then
    say "$what failed: the Go module proxy could not be reached: $line"
  elif line=$(grep -m1 -E '^go: [^ ]+@[^ ]+: ' "$log"); then
    say "$what failed: $line"
  else
    say "$what failed; the end of its log:"
    tail -n 20 "$log" >&2
  fi
  say "full log: $log"
}

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
seconds_since() { echo $(( $(date +%s) - $1 )); }

# Reuse `bin` when it is there and `dir/stamp` holds the hash of the inputs it was built
# from (true: the caller returns); otherwise ready `dir` and an empty `dir/build.log`
# for a build (false). Called as `cached … && return`, where set -e is off, so a
# failure to ready the directory exits explicitly.
cached() {
  local what=$1 dir=$2 bin=$3 stamp=$4
  if [ -x "$bin" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
    say "$what: $bin (cached)"
    return 0
  fi
  mkdir -p "$dir" || exit 1
  : >"$dir/build.log" || exit 1
  return 1
}

# ---------------------------------------------------------------- collector

build_collector() {
  local stamp builder_dir builder log start t0
  stamp=$(stamp_of "$manifest")
  cached collector "$otelcol_dir" "$otelcol_bin" "$stamp" && return
  log="$otelcol_dir/build.log"
  start=$(date +%s)
  builder_dir="$cache/tools/builder-v$otelcol_version"
  builder="$builder_dir/builder"
  if [ ! -x "$builder" ]; then
    say "collector: installing the Collector Builder v$otelcol_version"
    t0=$(date +%s)
    GOBIN="$builder_dir" go install "go.opentelemetry.io/collector/cmd/builder@v$otelcol_version" >>"$log" 2>&1 \
      || { explain_failure "$log" "installing go.opentelemetry.io/collector/cmd/builder@v$otelcol_version"; exit 1; }
    say "collector: builder installed in $(seconds_since "$t0") s"
  fi
  # The manifest names no output path (that would be a path on the author's machine): add it to a copy.
  rm -rf "$otelcol_dir/build"
  sed "s|^dist:|dist:\n  output_path: $otelcol_dir/build|" "$manifest" >"$otelcol_dir/manifest.yaml"
  say "collector: building otelcol-langsmith $otelcol_version (log: $log)"
  t0=$(date +%s)
  (cd "$otelcol_dir" && "$builder" --config "$otelcol_dir/manifest.yaml") >>"$log" 2>&1 \
    || { explain_failure "$log" "building the collector from $manifest"; exit 1; }
  mv -f "$otelcol_dir/build/otelcol-langsmith" "$otelcol_bin"
  echo "$stamp" >"$otelcol_dir/stamp"
  echo "$(seconds_since "$start")" >"$otelcol_dir/build-seconds"
  say "collector: built $otelcol_bin in $(seconds_since "$t0") s ($(seconds_since "$start") s with the builder)"
}

# ---------------------------------------------------------------- jaeger

build_jaeger() {
  local stamp log start
  local ldflags="-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$jaeger_version"
  stamp=$( (cat "$jaeger_mod/go.mod" "$jaeger_mod/go.sum"; echo "$ldflags") | sha256sum | cut -d' ' -f1)
  cached jaeger "$jaeger_dir" "$jaeger_bin" "$stamp" && return
  log="$jaeger_dir/build.log"
  say "jaeger: building github.com/jaegertracing/jaeger/cmd/jaeger $jaeger_version (log: $log)"
  start=$(date +%s)
  (cd "$jaeger_mod" && go mod download >>"$log" 2>&1) \
    || { explain_failure "$log" "downloading Jaeger's modules ($jaeger_mod/go.mod)"; exit 1; }
  (cd "$jaeger_mod" && go build -trimpath -buildvcs=false -ldflags="$ldflags" -o "$jaeger_bin.tmp" github.com/jaegertracing/jaeger/cmd/jaeger) >>"$log" 2>&1 \
    || { explain_failure "$log" "building Jaeger"; exit 1; }
  mv -f "$jaeger_bin.tmp" "$jaeger_bin"
  echo "$stamp" >"$jaeger_dir/stamp"
  echo "$(seconds_since "$start")" >"$jaeger_dir/build-seconds"
  say "jaeger: built $jaeger_bin in $(seconds_since "$start") s"
}

build_collector
build_jaeger
printf 'OTELCOL=%s\nJAEGER=%s\n' "$otelcol_bin" "$jaeger_bin"
