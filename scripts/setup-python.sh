#!/usr/bin/env bash
# Creates <repo>/.venv with the Python LangSmith SDK and a small ASGI stack for
# the interop tests (test/interop/langsmith-python.test.ts, test/e2e.test.ts),
# from test/python/requirements.txt.
#
# - Idempotent: a .venv that already has exactly those pins is left alone.
# - Installs from the package index pip is configured with (PyPI by default;
#   PIP_INDEX_URL / pip.conf as usual). PY_INTEROP_INDEX=<dir of a PEP 503
#   "simple" index> installs from that local index instead (offline machines).
# - On failure it prints "PYTHON INTEROP UNAVAILABLE: <reason>" and exits 1;
#   outside CI the tests then skip loudly, in CI (CI=true) they fail.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="$ROOT/test/python/requirements.txt"
STAMP="$VENV/.requirements"
IMPORT_CHECK="import langsmith, fastapi, uvicorn, httpx; print(langsmith.__version__)"

fail() {
  echo "PYTHON INTEROP UNAVAILABLE: $*" >&2
  exit 1
}

if [ -x "$VENV/bin/python" ] && cmp -s "$REQUIREMENTS" "$STAMP" &&
  version="$("$VENV/bin/python" -c "$IMPORT_CHECK" 2>/dev/null)"; then
  echo "setup-python: $VENV is ready (langsmith $version)"
  exit 0
fi

command -v "$PYTHON" >/dev/null 2>&1 || fail "no '$PYTHON' interpreter on PATH (set PYTHON)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null ||
  fail "$PYTHON is older than 3.9"

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup-python: creating $VENV"
  "$PYTHON" -m venv "$VENV" || { rm -rf "$VENV"; fail "'$PYTHON -m venv' failed (Debian: apt-get install python3-venv)"; }
fi

pip_args=(install --quiet --disable-pip-version-check --no-input --retries 2 --timeout 60 -r "$REQUIREMENTS")
if [ -n "${PY_INTEROP_INDEX:-}" ]; then
  [ -d "$PY_INTEROP_INDEX" ] || fail "PY_INTEROP_INDEX=$PY_INTEROP_INDEX is not a directory"
  pip_args+=(--index-url "file://$PY_INTEROP_INDEX")
  echo "setup-python: installing test/python/requirements.txt from file://$PY_INTEROP_INDEX"
else
  echo "setup-python: installing test/python/requirements.txt from pip's configured index"
fi
start=$(date +%s)
"$VENV/bin/python" -m pip "${pip_args[@]}" || fail "pip could not install test/python/requirements.txt (see pip's message above)"

version="$("$VENV/bin/python" -c "$IMPORT_CHECK" 2>&1)" || fail "installed, but the import check failed: $version"
cp "$REQUIREMENTS" "$STAMP"
echo "setup-python: $VENV is ready (langsmith $version) in $(( $(date +%s) - start )) s"
