#!/usr/bin/env bash
# Install the Node interop harness dependencies (tests/node) exactly as locked, if needed.
# Idempotent: skips `npm ci` when node_modules was installed from the current package-lock.json
# (a sha256 stamp is kept in node_modules/). Exits 0 with a message when node/npm are missing,
# so the interop tests then skip instead of failing the build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_DIR="$ROOT/tests/node"
STAMP="$NODE_DIR/node_modules/.microdegree-lock.sha256"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ensure_node_deps: node/npm not found; skipping (tests marked 'node' will skip)."
  exit 0
fi

cd "$NODE_DIR"
want="$( (sha256sum package-lock.json 2>/dev/null || shasum -a 256 package-lock.json) | cut -d' ' -f1)"
if [ -d node_modules ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "ensure_node_deps: tests/node/node_modules is up to date (node $(node --version))."
  exit 0
fi

echo "ensure_node_deps: running npm ci in tests/node (node $(node --version))..."
npm ci --no-audit --no-fund
echo "$want" > "$STAMP"
echo "ensure_node_deps: done."
