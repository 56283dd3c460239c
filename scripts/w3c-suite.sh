#!/usr/bin/env bash
# Runs the official W3C trace-context conformance suite (w3c/trace-context,
# folder test/) against the bridge: scripts/w3c-service.mjs, i.e. the built
# package's LangSmithPropagator({ trust: true }) on a NodeTracerProvider.
#
# Nothing is fetched from the network: pass a copy of the suite you already
# have. From a clone or bare mirror of w3c/trace-context, for example:
#   mkdir -p /tmp/w3c && git -C <trace-context.git> archive HEAD test | tar -x -C /tmp/w3c
#   scripts/w3c-suite.sh /tmp/w3c/test
#
# Usage: scripts/w3c-suite.sh [SUITE_DIR] [test.py patterns...]
#   SUITE_DIR     the suite's test/ folder (holding test.py), or a folder that
#                 contains test/test.py; default: $W3C_SUITE_DIR
#   patterns      passed to test.py, e.g. TraceContext2Test
# Environment:
#   W3C_SUITE_DIR   as SUITE_DIR
#   STRICT_LEVEL    default 2 (all tracestate validation cases)
#   SPEC_LEVEL      default 2 (trace context level 2: the random flag)
#   HARNESS_PORT    the harness's own port (test.py's default 7777)
#   PYTHON          default /usr/bin/python3 (Debian's, with python3-aiohttp)
#   W3C_PROPAGATOR  bridge (default) or otel-core, to run the same suite
#                   against OTel JS core's W3C propagators for comparison
#
# Needs Python's aiohttp: installs Debian's python3-aiohttp when it is missing,
# only when running as root with apt-get available. Builds dist/ when missing.
# Prints the suite's output and a summary; exits with the suite's status
# (0 when every case passed).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

suite="${1:-${W3C_SUITE_DIR:-}}"
[ $# -gt 0 ] && shift
[ -n "$suite" ] || usage
if [ ! -f "$suite/test.py" ] && [ -f "$suite/test/test.py" ]; then suite="$suite/test"; fi
if [ ! -f "$suite/test.py" ] || [ ! -f "$suite/server.py" ]; then
  echo "w3c-suite: no test.py and server.py in $suite (expected the suite's test/ folder)" >&2
  exit 2
fi
suite="$(cd "$suite" && pwd)"

# ---- Python + aiohttp ----
if [ ! -x "$python" ]; then
  echo "w3c-suite: $python not found (set PYTHON)" >&2
  exit 2
fi
if ! "$python" -c 'import aiohttp' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "w3c-suite: installing Debian's python3-aiohttp"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiohttp >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiohttp >/dev/null; }
  fi
  if ! "$python" -c 'import aiohttp' 2>/dev/null; then
    echo "w3c-suite: $python cannot import aiohttp; install python3-aiohttp (apt) or aiohttp (pip)" >&2
    exit 2
  fi
fi

# ---- the built package ----
if [ ! -f "$repo/dist/esm/index.js" ]; then
  echo "w3c-suite: dist/ missing, running npm run build"
  (cd "$repo" && npm run build >/dev/null)
fi

# ---- the service ----
workdir="$(mktemp -d)"
service_pid=""
cleanup() {
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
    kill -TERM "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node "$repo/scripts/w3c-service.mjs" --port 0 --propagator "${W3C_PROPAGATOR:-bridge}" >"$workdir/service.log" 2>&1 &
service_pid=$!
endpoint=""
for _ in $(seq 1 100); do
  endpoint="$(sed -n 's/^w3c-service listening on \(http[^ ]*\)$/\1/p' "$workdir/service.log")"
  [ -n "$endpoint" ] && break
  if ! kill -0 "$service_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$endpoint" ]; then
  echo "w3c-suite: the service did not start:" >&2
  cat "$workdir/service.log" >&2
  exit 1
fi
echo "w3c-suite: service $endpoint (${W3C_PROPAGATOR:-bridge}, pid $service_pid), suite $suite"

# ---- the suite ----
export STRICT_LEVEL="${STRICT_LEVEL:-2}" SPEC_LEVEL="${SPEC_LEVEL:-2}"
set +e
(cd "$suite" && "$python" test.py "$endpoint" "$@") 2>&1 | tee "$workdir/suite.log"
status=${PIPESTATUS[0]}
set -e

ran="$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$workdir/suite.log" | tail -1)"
failed="$(grep -cE '^(FAIL|ERROR): test_' "$workdir/suite.log" || true)"
skipped="$(grep -oE 'skipped=[0-9]+' "$workdir/suite.log" | tail -1 | cut -d= -f2 || true)"
echo
echo "w3c-suite summary (STRICT_LEVEL=$STRICT_LEVEL SPEC_LEVEL=$SPEC_LEVEL): ran ${ran:-0}, passed $(( ${ran:-0} - failed - ${skipped:-0} )), failed $failed, skipped ${skipped:-0}"
grep -E '^(FAIL|ERROR): test_' "$workdir/suite.log" | sed 's/^/  /' || true
if [ -s "$workdir/service.log" ] && grep -qv '^w3c-service listening' "$workdir/service.log"; then
  echo "service log:"
  grep -v '^w3c-service listening' "$workdir/service.log" | sed 's/^/  /'
fi
exit "$status"
