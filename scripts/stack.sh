#!/usr/bin/env bash
# The local infrastructure of XRayIOT without Docker: PostgreSQL 15 + FerretDB v1.24.2 (the
# Mongo-wire database), Redis and RabbitMQ, each on loopback with its data under .stack/.
#
#   scripts/stack.sh up       install what is missing, start what is not running, wait, print URLs
#   scripts/stack.sh down     stop everything cleanly (data is kept)
#   scripts/stack.sh status   say what runs
#   scripts/stack.sh logs     print the last lines of every log of the stack
#
# Idempotent: `up` twice is harmless, `down` then `up` keeps the stored data.
# If MONGO_URL, REDIS_URL and AMQP_URL are all set, `up` only checks them. Where a Docker engine
# answers (and XRAY_STACK_DOCKER is not 0), `up` starts mongo, redis and rabbitmq with docker compose.
#
# Environment: XRAY_STACK_DIR (data, logs, env file; default .stack), XRAY_STACK_{PG,MONGO,REDIS,AMQP,
# AMQP_MGMT,AMQP_DIST}_PORT (defaults below), XRAY_STACK_FERRETDB_POOL, XRAY_FERRETDB_BIN (a FerretDB
# binary built before, instead of building one into the stack folder). Several stacks with their own
# folder and ports can run side by side.
set -euo pipefail
# The service users (postgres, rabbitmq) must be able to enter the folders made here.
umask 022

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${XRAY_STACK_DIR:-$ROOT/.stack}"
# Absolute: the FerretDB build runs in another folder, and the env file names paths under it.
case "$STACK_DIR" in /*) ;; *) STACK_DIR="$PWD/$STACK_DIR" ;; esac
PG_PORT="${XRAY_STACK_PG_PORT:-54329}"
MONGO_PORT="${XRAY_STACK_MONGO_PORT:-27027}"
REDIS_PORT="${XRAY_STACK_REDIS_PORT:-6390}"
AMQP_PORT="${XRAY_STACK_AMQP_PORT:-5682}"
AMQP_MGMT_PORT="${XRAY_STACK_AMQP_MGMT_PORT:-15682}"
AMQP_DIST_PORT="${XRAY_STACK_AMQP_DIST_PORT:-25682}"
# FerretDB opens one PostgreSQL connection per concurrent statement; an update command with as many
# statements as the pool holds deadlocks it, so the pool is large and PostgreSQL allows more still.
FERRETDB_POOL_MAX_CONNS="${XRAY_STACK_FERRETDB_POOL:-200}"
PG_MAX_CONNECTIONS=$((FERRETDB_POOL_MAX_CONNS + 50))
FERRETDB_VERSION="v1.24.2"
PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
RABBIT_NODENAME="xrayiot-${AMQP_PORT}@localhost"
FERRETDB_BIN="${XRAY_FERRETDB_BIN:-$STACK_DIR/bin/ferretdb}"

LOG_DIR="$STACK_DIR/logs"
RUN_DIR="$STACK_DIR/run"
BIN_DIR="$STACK_DIR/bin"
ENV_FILE="$STACK_DIR/env"

XRAY_LOG_TAG=stack
# shellcheck source=lib/common.sh
source "$ROOT/scripts/lib/common.sh"

# Data owned by a service user must sit on a path that user can traverse; CI may clone anywhere.
service_data_dir() {
  local user="$1" name="$2"
  local preferred="$STACK_DIR/$name"
  mkdir -p "$STACK_DIR"
  if su "$user" -s /bin/sh -c "test -x '$STACK_DIR'" 2>/dev/null; then
    echo "$preferred"
  else
    local key
    key="$(printf '%s' "$STACK_DIR" | sha256sum | cut -c1-12)"
    echo "/var/lib/xrayiot-stack/$key/$name"
  fi
}

ensure_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  [ -x "$PG_BIN/initdb" ] || missing+=("postgresql-$PG_MAJOR")
  apt_install "${missing[@]}"
}

# scripts/ferretdb/go.mod asks for Go 1.24; an older Go would try to fetch a newer toolchain, which
# fails offline deep inside the build.
require_go_for_ferretdb() {
  local go_cmd version
  command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || die "Go is needed to build FerretDB"
  go_cmd="$(command -v go || echo /usr/local/go/bin/go)"
  version="$("$go_cmd" env GOVERSION 2>/dev/null || true)"
  printf '%s\n%s\n' go1.24 "${version%%[!0-9.go]*}" | sort -V -C || die "Go >= 1.24 is needed to build FerretDB (found ${version:-none})"
}

ensure_ferretdb_binary() {
  if [ -n "${XRAY_FERRETDB_BIN:-}" ]; then
    [ -x "$XRAY_FERRETDB_BIN" ] || die "XRAY_FERRETDB_BIN=$XRAY_FERRETDB_BIN is not an executable"
    return
  fi
  local bin="$FERRETDB_BIN" src="$ROOT/scripts/ferretdb"
  if [ -x "$bin" ] && [ "$bin" -nt "$src/main.go" ] && [ "$bin" -nt "$src/go.sum" ]; then return; fi
  require_go_for_ferretdb
  log "building FerretDB $FERRETDB_VERSION (once; about two minutes)"
  mkdir -p "$BIN_DIR"
  local go_cmd; go_cmd="$(command -v go || echo /usr/local/go/bin/go)"
  # -buildvcs=false: no version stamp from the repository's git (absent, or owned by another user).
  (cd "$src" && GOFLAGS="-mod=mod -buildvcs=false" "$go_cmd" build -o "$bin.tmp" . ) || die "FerretDB build failed"
  mv "$bin.tmp" "$bin"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Like pid_alive, and the process is the named program (a stale pid file may name a reused pid).
pid_runs() { # pid_runs <pidfile> <program>
  pid_alive "$1" && tr '\0' ' ' <"/proc/$(cat "$1")/cmdline" 2>/dev/null | grep -q -- "$2"
}

# One `up` or `down` at a time per stack folder: parallel test runs may all call `up`. The daemons
# started under the lock get `9>&-`, or they would hold it for as long as they run.
lock_stack() {
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  flock -w 600 9 || die "another stack.sh holds $STACK_DIR/.lock"
}

wait_until() { # wait_until <seconds> <description> <command...>
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "$what did not answer within ${seconds}s (logs: $LOG_DIR)"
    sleep 0.2
  done
}

start_postgres() {
  PG_DATA="$(service_data_dir postgres postgres)"
  mkdir -p "$PG_DATA"; chown postgres: "$PG_DATA"; chmod 700 "$PG_DATA"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initdb $PG_DATA"
    su postgres -s /bin/sh -c "'$PG_BIN/initdb' -D '$PG_DATA' -U postgres --auth=trust -E UTF8 >/dev/null"
  fi
  if su postgres -s /bin/sh -c "'$PG_BIN/pg_ctl' -D '$PG_DATA' status" >/dev/null 2>&1; then
    log "postgresql already running"
  else
    local pglog; pglog="$PG_DATA/postgresql.log"
    su postgres -s /bin/sh -c "'$PG_BIN/pg_ctl' -D '$PG_DATA' -l '$pglog' -w -t 60 start \
      -o \"-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=$PG_MAX_CONNECTIONS\"" >/dev/null 9>&- \
      || die "postgresql did not start (log: $pglog)"
  fi
  wait_until 30 postgresql "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -U postgres
  if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc "select 1 from pg_database where datname='ferretdb'" | grep -q 1; then
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres ferretdb
  fi
  # Lets FerretDB's equality pushdown use indexes (why: see the SQL file's header).
  # One transaction: a FerretDB already running never sees the trigger dropped and not yet back.
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d ferretdb -q -1 -v ON_ERROR_STOP=1 \
    -f "$ROOT/scripts/ferretdb/pushdown-indexes.sql" >/dev/null 2>&1 \
    || die "could not apply scripts/ferretdb/pushdown-indexes.sql to postgresql"
}

start_ferretdb() {
  local pidfile="$RUN_DIR/ferretdb.pid"
  if pid_runs "$pidfile" "$FERRETDB_BIN"; then log "ferretdb already running"; return; fi
  local url="postgres://postgres@127.0.0.1:$PG_PORT/ferretdb?pool_max_conns=$FERRETDB_POOL_MAX_CONNS"
  # Its own session: a Ctrl-C meant for the services (`npm run up`) must not reach the stack.
  setsid nohup "$FERRETDB_BIN" --listen-addr "127.0.0.1:$MONGO_PORT" --postgresql-url "$url" \
    >>"$LOG_DIR/ferretdb.log" 2>&1 9>&- &
  echo $! >"$pidfile"
}

start_redis() {
  local data; data="$STACK_DIR/redis"; mkdir -p "$data"
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then log "redis already running"; return; fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$data" --appendonly yes \
    --daemonize yes --pidfile "$RUN_DIR/redis.pid" --logfile "$LOG_DIR/redis.log" --save "60 1000" >/dev/null 9>&-
}

rabbit_env() {
  RABBIT_BASE="$(service_data_dir rabbitmq rabbitmq)"
  export RABBITMQ_NODENAME="$RABBIT_NODENAME"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$AMQP_PORT"
  export RABBITMQ_DIST_PORT="$AMQP_DIST_PORT"
  export RABBITMQ_MNESIA_BASE="$RABBIT_BASE/mnesia"
  export RABBITMQ_LOG_BASE="$RABBIT_BASE/log"
  export RABBITMQ_FEATURE_FLAGS_FILE="$RABBIT_BASE/feature_flags"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_BASE/enabled_plugins"
  export RABBITMQ_PLUGINS_EXPAND_DIR="$RABBIT_BASE/plugins-expand"
  export RABBITMQ_CONFIG_FILE="$RABBIT_BASE/rabbitmq.conf"
  export RABBITMQ_PID_FILE="$RABBIT_BASE/rabbitmq.pid"
}

start_rabbitmq() {
  rabbit_env
  if node "$ROOT/scripts/wait-for-services.js" --amqp "amqp://guest:guest@127.0.0.1:$AMQP_PORT" --timeout 1 >/dev/null 2>&1; then
    log "rabbitmq already running"; return
  fi
  mkdir -p "$RABBIT_BASE/mnesia" "$RABBIT_BASE/log"
  # The management API lets tests give each suite its own vhost, as the compose image does.
  echo '[rabbitmq_management].' >"$RABBIT_BASE/enabled_plugins"
  cat >"$RABBIT_BASE/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $AMQP_MGMT_PORT
log.console = false
log.file.level = warning
EOF
  chown -R rabbitmq: "$RABBIT_BASE"
  # As root, Debian's wrapper would drop to the rabbitmq user anyway; doing it here keeps our env.
  # Its own session, as FerretDB's: `su` ends the server on the SIGINT of a Ctrl-C in its group.
  setsid nohup su rabbitmq -s /bin/sh -c "exec /usr/lib/rabbitmq/bin/rabbitmq-server" \
    >>"$LOG_DIR/rabbitmq.log" 2>&1 9>&- &
  echo $! >"$RUN_DIR/rabbitmq.pid"
}

write_env() {
  mkdir -p "$STACK_DIR"
  cat >"$ENV_FILE" <<EOF
export MONGO_URL='$MONGO_URL'
export REDIS_URL='$REDIS_URL'
export AMQP_URL='$AMQP_URL'
export RABBITMQ_MANAGEMENT_URL='${RABBITMQ_MANAGEMENT_URL:-}'
EOF
  printf 'MONGO_URL=%s\nREDIS_URL=%s\nAMQP_URL=%s\n' "$MONGO_URL" "$REDIS_URL" "$AMQP_URL"
}

# Compose interpolates the whole file, so the services' required secrets must be set even when only
# the infrastructure starts; these stand-ins reach no container.
compose_infra() {
  (cd "$ROOT" && INGEST_HMAC_SECRET="${INGEST_HMAC_SECRET:-unused-by-the-infrastructure}" \
    GATEWAY_ADMIN_API_KEY="${GATEWAY_ADMIN_API_KEY:-unused-by-the-infrastructure}" docker compose "$@")
}

docker_engine_answers() {
  [ "${XRAY_STACK_DOCKER:-1}" != 0 ] && command -v docker >/dev/null && timeout 5 docker info >/dev/null 2>&1
}

cmd_up() {
  if [ -n "${MONGO_URL:-}" ] && [ -n "${REDIS_URL:-}" ] && [ -n "${AMQP_URL:-}" ]; then
    ensure_node_modules
    log "using MONGO_URL, REDIS_URL and AMQP_URL from the environment"
    node "$ROOT/scripts/wait-for-services.js" --mongo "$MONGO_URL" --redis "$REDIS_URL" --amqp "$AMQP_URL" --timeout 60
    write_env; return
  fi
  lock_stack
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  ensure_node_modules
  if docker_engine_answers; then
    log "docker engine found: starting mongo, redis and rabbitmq with docker compose"
    compose_infra up -d --wait mongo redis rabbitmq
    MONGO_URL="mongodb://127.0.0.1:27017/xrayiot"
    REDIS_URL="redis://127.0.0.1:6379"
    AMQP_URL="amqp://guest:guest@127.0.0.1:5672"
    RABBITMQ_MANAGEMENT_URL="http://guest:guest@127.0.0.1:15672"
  else
    ensure_packages
    ensure_ferretdb_binary
    start_postgres
    start_ferretdb
    start_redis
    start_rabbitmq
    MONGO_URL="mongodb://127.0.0.1:$MONGO_PORT/xrayiot"
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
    AMQP_URL="amqp://guest:guest@127.0.0.1:$AMQP_PORT"
    RABBITMQ_MANAGEMENT_URL="http://guest:guest@127.0.0.1:$AMQP_MGMT_PORT"
  fi
  node "$ROOT/scripts/wait-for-services.js" --mongo "$MONGO_URL" --redis "$REDIS_URL" --amqp "$AMQP_URL" \
    --http "${RABBITMQ_MANAGEMENT_URL}/api/overview" --timeout 90 \
    || die "services did not become ready (logs: $LOG_DIR)"
  # Something else answering on our port would pass the probe while our FerretDB had exited.
  if [ -f "$RUN_DIR/ferretdb.pid" ] && ! pid_runs "$RUN_DIR/ferretdb.pid" "$FERRETDB_BIN"; then
    die "ferretdb exited (port $MONGO_PORT taken?); see $LOG_DIR/ferretdb.log"
  fi
  write_env
}

stop_pidfile() { # stop_pidfile <name> <pidfile> <program>: stops it only if the pid is still that program
  local pidfile="$2"
  pid_runs "$pidfile" "$3" || { rm -f "$pidfile"; return; }
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then log "$1 did not stop in 30 s; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
}

cmd_down() {
  lock_stack
  # Where Docker answers, `up` started the compose services; processes of a stack started before
  # Docker answered are stopped below all the same (their pid files say which).
  if docker_engine_answers; then
    compose_infra stop mongo redis rabbitmq || log "docker compose could not stop mongo, redis and rabbitmq"
  fi
  if [ -d "$RUN_DIR" ]; then
    rabbit_env
    if pid_runs "$RUN_DIR/rabbitmq.pid" rabbitmq-server; then
      su rabbitmq -s /bin/sh -c "/usr/lib/rabbitmq/bin/rabbitmqctl -n '$RABBIT_NODENAME' shutdown" >/dev/null 2>&1 || true
      stop_pidfile rabbitmq "$RUN_DIR/rabbitmq.pid" rabbitmq-server
    fi
    # Only the Redis this stack started: another one on the port is not ours to stop.
    if pid_runs "$RUN_DIR/redis.pid" redis-server; then
      redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    fi
    stop_pidfile redis "$RUN_DIR/redis.pid" redis-server
    stop_pidfile ferretdb "$RUN_DIR/ferretdb.pid" "$FERRETDB_BIN"
  fi
  local pg_data; pg_data="$(service_data_dir postgres postgres)"
  if [ -x "$PG_BIN/pg_ctl" ] && [ -f "$pg_data/PG_VERSION" ]; then
    su postgres -s /bin/sh -c "'$PG_BIN/pg_ctl' -D '$pg_data' -m fast -w stop" >/dev/null 2>&1 || true
  fi
  log "stopped (data kept in $STACK_DIR)"
}

cmd_status() {
  local state
  state() { if "$@" >/dev/null 2>&1; then echo up; else echo down; fi; }
  if docker_engine_answers; then
    echo "docker compose (where Docker answers, up starts these):"
    compose_infra ps mongo redis rabbitmq || true
    echo "without Docker:"
  fi
  echo "postgresql $(state /usr/bin/pg_isready -h 127.0.0.1 -p "$PG_PORT")"
  echo "ferretdb   $(state pid_runs "$RUN_DIR/ferretdb.pid" "$FERRETDB_BIN")"
  echo "redis      $(state redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping)"
  echo "rabbitmq   $(state node "$ROOT/scripts/wait-for-services.js" --amqp "amqp://guest:guest@127.0.0.1:$AMQP_PORT" --timeout 1)"
  [ -f "$ENV_FILE" ] && cat "$ENV_FILE"
  return 0
}

# The last lines of every log the stack writes (PostgreSQL and RabbitMQ keep theirs beside their data).
cmd_logs() {
  local pg_data file
  pg_data="$(service_data_dir postgres postgres)"
  rabbit_env
  for file in "$LOG_DIR"/*.log "$pg_data/postgresql.log" "$RABBIT_BASE"/log/*.log; do
    [ -f "$file" ] || continue
    echo "---- $file (last 30 lines) ----"
    tail -n 30 "$file"
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) cmd_logs ;;
  *) echo "usage: $0 up|down|status|logs" >&2; exit 2 ;;
esac
