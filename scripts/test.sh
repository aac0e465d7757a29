#!/usr/bin/env bash
# `npm test`: every test of XRayIOT (unit + integration + end-to-end) on a machine with nothing set
# up by hand. It installs what is missing, brings up the local stack, builds, then runs jest.
#
#   npm test                         everything
#   npm test -- test/e2e             extra arguments go to jest (paths, -t, --selectProjects ...)
#
# Environment:
#   MONGO_URL, REDIS_URL, AMQP_URL   use this infrastructure instead of the local stack (all three;
#                                    RABBITMQ_MANAGEMENT_URL too, for per-suite vhosts)
#   XRAY_SKIP_BUILD=1           skip the build (when dist/ is known to be fresh)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

ensure_node_modules
ensure_chromium
ensure_stack_env
build_all

# Two cores and shared infrastructure: suites run one after another in one process.
log "jest --runInBand $*"
exec npx jest --runInBand "$@"
