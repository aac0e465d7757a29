# Shared steps of the operator scripts (test.sh, up.sh, start.sh, .ci/run). Source it; it expects
# ROOT to be the repository root.
# shellcheck shell=bash

log() { printf '[%s] %s\n' "${XRAY_LOG_TAG:-xrayiot}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${XRAY_LOG_TAG:-xrayiot}" "$*" >&2; exit 1; }

# Debian packages, installed only when missing; one `apt-get update` per process at most.
APT_UPDATED=0
apt_install() {
  [ "$#" -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || die "need root to apt-get install $* (or install them by hand)"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  # Debian starts a packaged service on install where nothing forbids it (a policy-rc.d that exits
  # 101 does); the stack runs its own on other ports, so Debian's would only take memory and CPU,
  # and rabbitmq-server's install fails when its default node cannot start. Daemons must not
  # inherit the stack's lock (fd 9) either.
  local forbade_starts=0 status=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && forbade_starts=1
  fi
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null 9>&- || status=$?
  [ "$forbade_starts" = 0 ] || rm -f /usr/sbin/policy-rc.d
  return "$status"
}

# npm ci when node_modules is missing or older than the lock file.
ensure_node_modules() {
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] \
    || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "npm ci"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The browser tests drive Debian's Chromium through playwright-core.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = 0 ]; then
    apt_install chromium
  else
    log "warning: /usr/bin/chromium is missing and this is not root; the browser tests will fail"
  fi
}

# Exports MONGO_URL, REDIS_URL, AMQP_URL (and RABBITMQ_MANAGEMENT_URL): from the environment when
# all three are set, else from the local stack, which is started if needed.
ensure_stack_env() {
  if [ -n "${MONGO_URL:-}" ] && [ -n "${REDIS_URL:-}" ] && [ -n "${AMQP_URL:-}" ]; then
    log "using MONGO_URL, REDIS_URL and AMQP_URL from the environment"
    return 0
  fi
  bash "$ROOT/scripts/stack.sh" up >/dev/null
  load_stack_env
}

# Reads the stack's env file without overriding what the shell already set.
load_stack_env() {
  local env_file="${XRAY_STACK_DIR:-$ROOT/.stack}/env" line name value
  [ -f "$env_file" ] || return 0
  while IFS= read -r line; do
    [[ "$line" =~ ^export\ ([A-Za-z_][A-Za-z0-9_]*)=\'(.*)\'$ ]] || continue
    name="${BASH_REMATCH[1]}"; value="${BASH_REMATCH[2]}"
    [ -n "${!name:-}" ] || export "$name=$value"
  done <"$env_file"
}

# Does package.json define the npm script $1?
has_npm_script() {
  node -e 'process.exit(require(process.argv[1]).scripts?.[process.argv[2]] ? 0 : 1)' "$ROOT/package.json" "$1"
}

# The TypeScript build (dist/) and, once it has one, the dashboard's.
build_all() {
  if [ "${XRAY_SKIP_BUILD:-0}" = 1 ]; then log "build skipped (XRAY_SKIP_BUILD=1)"; return 0; fi
  log "npm run build"
  (cd "$ROOT" && npm run --silent build)
  # Once `build` builds the dashboard itself, there is nothing more to do.
  node -e 'process.exit(/dashboard/.test(require(process.argv[1]).scripts?.build ?? "") ? 0 : 1)' "$ROOT/package.json" \
    || build_dashboard
}

build_dashboard() {
  local dash="$ROOT/gateway/dashboard"
  if has_npm_script dashboard:build; then
    log "npm run dashboard:build"
    (cd "$ROOT" && npm run --silent dashboard:build)
  elif [ -f "$dash/vite.config.ts" ] && [ ! -f "$dash/package.json" ]; then
    log "vite build (gateway/dashboard)"
    (cd "$ROOT" && npx vite build --config gateway/dashboard/vite.config.ts --logLevel warn)
  elif [ -f "$dash/package.json" ] && node -e 'process.exit(require(process.argv[1]).scripts?.build ? 0 : 1)' "$dash/package.json"; then
    if [ -f "$dash/package-lock.json" ] && { [ ! -f "$dash/node_modules/.package-lock.json" ] \
      || [ "$dash/package-lock.json" -nt "$dash/node_modules/.package-lock.json" ]; }; then
      log "npm ci (gateway/dashboard)"
      (cd "$dash" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    log "npm run build (gateway/dashboard)"
    (cd "$dash" && npm run --silent build)
  fi
}

random_hex() { node -e 'process.stdout.write(require("node:crypto").randomBytes(Number(process.argv[1])).toString("hex"))' "$1"; }

# Secrets for a local run, generated once and kept in the stack folder (gitignored), unless set.
ensure_local_secrets() {
  local file="${XRAY_STACK_DIR:-$ROOT/.stack}/secrets.env"
  mkdir -p "$(dirname "$file")"
  if [ ! -f "$file" ]; then
    (
      umask 077
      printf "export INGEST_HMAC_SECRET='%s'\nexport GATEWAY_ADMIN_API_KEY='%s'\n" \
        "$(random_hex 32)" "xk_admin_$(random_hex 24)" >"$file"
    )
  fi
  local line name value
  while IFS= read -r line; do
    [[ "$line" =~ ^export\ ([A-Za-z_][A-Za-z0-9_]*)=\'(.*)\'$ ]] || continue
    name="${BASH_REMATCH[1]}"; value="${BASH_REMATCH[2]}"
    [ -n "${!name:-}" ] || export "$name=$value"
  done <"$file"
}
