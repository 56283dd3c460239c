#!/usr/bin/env bash
# Creates <repo>/.venv with the Python LangSmith SDK and a small ASGI stack for
# the interop tests (test/interop/langsmith-python.test.ts).
#
# - Idempotent: a .venv that already imports everything is left alone.
# - Installs only from a LOCAL package index (never the public PyPI):
#     PY_INTEROP_INDEX  directory of a PEP 503 "simple" index  (default /opt/pypi/simple)
#     PY_INTEROP_WHEELS optional directory of wheels for --find-links (default /opt/wheels)
#     PYTHON            interpreter to build the venv with   (default python3)
# - When the index, the interpreter or a package is missing, prints a line
#   starting with "PYTHON INTEROP SKIPPED:" and exits 0, so CI carries on (the
#   tests then skip loudly too).
# - Writes nothing outside the repo except pip's cache.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"
INDEX_DIR="${PY_INTEROP_INDEX:-/opt/pypi/simple}"
WHEELS_DIR="${PY_INTEROP_WHEELS:-/opt/wheels}"
PACKAGES=(langsmith fastapi uvicorn httpx)
IMPORT_CHECK="import langsmith, fastapi, uvicorn, httpx; print(langsmith.__version__)"

skip() {
  echo "" >&2
  echo "************************************************************************" >&2
  echo "PYTHON INTEROP SKIPPED: $*" >&2
  echo "************************************************************************" >&2
  echo "PYTHON INTEROP SKIPPED: $*"
  exit 0
}

# Already set up?
if [ -x "$VENV/bin/python" ] && version="$("$VENV/bin/python" -c "$IMPORT_CHECK" 2>/dev/null)"; then
  echo "setup-python: $VENV is ready (langsmith $version)"
  exit 0
fi

command -v "$PYTHON" >/dev/null 2>&1 || skip "no '$PYTHON' interpreter on PATH"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null ||
  skip "$PYTHON is older than 3.9"
[ -d "$INDEX_DIR" ] || skip "local package index $INDEX_DIR not found (set PY_INTEROP_INDEX)"
for pkg in "${PACKAGES[@]}"; do
  [ -e "$INDEX_DIR/$pkg" ] || skip "package '$pkg' is not in the local index $INDEX_DIR"
done

# Ignore pip configuration files and index settings from the environment: only
# the local index may be used, whatever the machine's pip.conf says.
export PIP_CONFIG_FILE=/dev/null
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_DEFAULT_TIMEOUT PIP_NO_INDEX

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup-python: creating $VENV"
  "$PYTHON" -m venv "$VENV" || { rm -rf "$VENV"; skip "'$PYTHON -m venv' failed (python3-venv missing?)"; }
fi

pip_args=(install --quiet --timeout 15 --retries 0 --index-url "file://$INDEX_DIR")
[ -d "$WHEELS_DIR" ] && pip_args+=(--find-links "$WHEELS_DIR")

echo "setup-python: installing ${PACKAGES[*]} from file://$INDEX_DIR"
if ! "$VENV/bin/python" -m pip "${pip_args[@]}" "${PACKAGES[@]}"; then
  skip "pip could not install ${PACKAGES[*]} from the local index $INDEX_DIR"
fi

version="$("$VENV/bin/python" -c "$IMPORT_CHECK" 2>&1)" ||
  skip "installed, but the import check failed: $version"
echo "setup-python: $VENV is ready (langsmith $version)"
