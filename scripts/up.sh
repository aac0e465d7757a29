#!/usr/bin/env bash
# `npm run up`: the whole system on this machine, from nothing — dependencies, the local stack,
# the build, the three services and a simulated fleet. Prints the GraphQL, Playground and dashboard
# URLs and the API key to paste. Ctrl-C stops everything (the stack keeps running; `npm run
# stack:down` stops it).
#
# Environment (all optional):
#   INGEST_HMAC_SECRET, GATEWAY_ADMIN_API_KEY   else generated once and kept in .stack/secrets.env
#   MONGO_URL, REDIS_URL, AMQP_URL              use this infrastructure instead of the local stack
#   GATEWAY_PORT, INGEST_PORT, PROCESSOR_PORT   defaults 3000, 3001, 3002
#   XRAY_SIM_DEVICES, XRAY_SIM_RATE             simulated fleet: devices and messages/s (10, 2)
#   XRAY_SIM=0                                  no simulator
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export XRAY_LOG_TAG=up
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

ensure_node_modules
ensure_stack_env
ensure_local_secrets
build_all

export INGEST_PORT="${INGEST_PORT:-3001}"
export PROCESSOR_PORT="${PROCESSOR_PORT:-3002}"
export GATEWAY_PORT="${GATEWAY_PORT:-3000}"
export LOG_LEVEL="${LOG_LEVEL:-info}"

follower=()
if [ "${XRAY_SIM:-1}" != 0 ]; then
  simulator="dist/ingest/simulator/simulator.cli.js"
  [ -f "$simulator" ] || die "$simulator does not exist after the build"
  follower=(-- node "$simulator" --url "http://127.0.0.1:$INGEST_PORT" \
    --devices "${XRAY_SIM_DEVICES:-10}" --rate "${XRAY_SIM_RATE:-2}")
fi

exec node scripts/run-services.js --banner --logs "${XRAY_STACK_DIR:-$ROOT/.stack}/logs/services" "${follower[@]}"
