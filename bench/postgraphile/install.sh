#!/bin/sh
# Installs the pinned PostGraphile v4 (package-lock.json) into bench/postgraphile/node_modules,
# which git ignores. Run by `make bench` before the benchmark; idempotent.
set -eu
cd "$(dirname "$0")"
if [ -x node_modules/.bin/postgraphile ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
	exit 0
fi
npm ci --no-audit --no-fund
