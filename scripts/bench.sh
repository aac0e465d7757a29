#!/usr/bin/env bash
# npm run bench [-- --scenario throughput,latency,fanout,queries,http] [--quick] [--signals N] [--no-profile]
# Ensures dependencies, the local stack and a build, then runs the benchmarks (bench/run.ts), which
# write bench/results/latest.json and the results block of docs/benchmarks.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ ! -d node_modules/autocannon ] || [ ! -d node_modules/hdr-histogram-js ]; then
  echo "[bench] npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ -z "${MONGO_URL:-}" ] || [ -z "${REDIS_URL:-}" ] || [ -z "${AMQP_URL:-}" ] || [ -z "${RABBITMQ_MANAGEMENT_URL:-}" ]; then
  bash scripts/stack.sh up >&2
  # shellcheck disable=SC1091
  source "${XRAY_STACK_DIR:-.stack}/env"
fi
export MONGO_URL REDIS_URL AMQP_URL RABBITMQ_MANAGEMENT_URL

echo "[bench] build" >&2
# tsc emits even when some file has a type error; what the bench needs is checked just below.
npx tsc -p tsconfig.build.json >/dev/null 2>&1 || echo "[bench] build reported type errors (emitted anyway)" >&2
for file in dist/bench/run.js dist/bench/scenario-runner.js dist/bench/service-host.js; do
  [ -f "$file" ] || { echo "[bench] $file missing after the build" >&2; exit 1; }
done

exec node dist/bench/run.js "$@"
