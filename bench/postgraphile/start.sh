#!/bin/sh
# Serves PostGraphile v4 over DATABASE_URL on 127.0.0.1:$PORT (/graphql), as the benchmark's
# peer: the public schema, Relay connections only (simple collections omitted, like ours),
# the connection-filter plugin for the directory's IN filters and pg-order-by-related to
# order an organization's partnerships by signing date as ours does; no query log, and
# the pool as large as ours (20 connections); exec keeps node's PID the one the
# benchmark starts, so that its CPU and RSS are node's.
set -eu
cd "$(dirname "$0")"
: "${DATABASE_URL:?DATABASE_URL must name the benchmark database}"
: "${PORT:?PORT must be set}"
exec node node_modules/postgraphile/cli.js \
	--connection "$DATABASE_URL" --schema public \
	--host 127.0.0.1 --port "$PORT" \
	--simple-collections omit \
	--append-plugins postgraphile-plugin-connection-filter,@graphile-contrib/pg-order-by-related \
	--max-pool-size "${POOL_SIZE:-20}" \
	--disable-query-log --disable-graphiql
