#!/usr/bin/env bash
# Installs what is missing, then builds the console and serves it on
# http://127.0.0.1:${PORT:-8080}/ (rebuilding when sources change).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh serve
export PATH="$PWD/tests/e2e/node_modules/.bin:$PATH"
echo "Serving the console on http://127.0.0.1:${PORT:-8080}/ (Ctrl-C stops it)"
# Served from its own folder: dist/ stays the deployable release build, without
# the development server's live-reload script.
# The same size flags as the release build in scripts/test-all.sh.
source scripts/release-flags.sh
exec trunk serve --offline --release --dist target/serve-dist --address 127.0.0.1 --port "${PORT:-8080}"
