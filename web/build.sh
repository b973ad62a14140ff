#!/usr/bin/env bash
# Builds the embedded web assets (internal/web/assets) from the npm packages pinned in
# web/package-lock.json: npm ci, then esbuild bundles and minifies the playground and the
# dashboard and collects the licenses of what it bundled. The output is committed, so
# building the server needs no npm; run this after changing web/ and commit the result.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
node build.mjs
