#!/usr/bin/env bash
# `npm start`: ingest, processor and gateway in one terminal, no simulator. Configuration comes
# from the shell's environment, falling back to the local stack's .stack/env and the generated
# .stack/secrets.env. `npm run dev` (--watch) also recompiles on change and restarts the services.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export XRAY_LOG_TAG=start
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

watch=0
case "${1:-}" in
  --watch) watch=1 ;;
  "") ;;
  *) die "usage: $0 [--watch]" ;;
esac

load_stack_env
ensure_local_secrets
for name in MONGO_URL REDIS_URL AMQP_URL; do
  [ -n "${!name:-}" ] || die "$name is not set and .stack/env has none: run \`npm run stack:up\` or export it"
done

if [ "$watch" = 1 ]; then
  log "npm run build"
  npm run --silent build || log "the build reported errors; watching anyway"
  # tsc rewrites dist/ on every change; node --watch restarts a service when its files change.
  npx tsc -p tsconfig.build.json --watch --preserveWatchOutput >&2 &
  tsc_pid=$!
  trap 'kill -TERM "$tsc_pid" 2>/dev/null || true' EXIT
  node scripts/run-services.js --watch
else
  for entry in dist/ingest/main.js dist/processor/main.js dist/gateway/main.js; do
    [ -f "$entry" ] || { log "$entry is missing: npm run build"; npm run --silent build; break; }
  done
  exec node scripts/run-services.js
fi
