#!/usr/bin/env bash
# Starts, stops and reports the servers of the local stack, each in the
# background on 127.0.0.1 with its log and pid file under the state
# directory:
#
#   kumo      DynamoDB and SQS, in memory         port $KUMO_PORT  (4566)
#   kms       local-kms, keys under kms-data/     port $KMS_PORT   (4599)
#   dcsim     the simulated Data Center           port $DCSIM_PORT (8099)
#
# Usage: scripts/stack.sh start|stop|status
#
# Environment:
#   STACK_DIR       state directory: logs/, run/ (pid files), kms-data/, bin/ (default .local)
#   STACK_SERVICES  services to manage (default "kumo kms dcsim", or "dcsim"
#                   when AWS_ENDPOINT_URL is set, because that endpoint then
#                   replaces kumo and local-kms)
#   BIN_DIR         directory holding kumo and local-kms (default bin, filled by make tools)
#   STACK_WAIT      seconds to wait for each port to accept connections (default 120,
#                   because dcsim is compiled on start)
#   KMS_SEED_PATH   local-kms seed file (default: none)
#
# local-kms listens on all interfaces and has no option to change that; the
# others listen on 127.0.0.1 only.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

STACK_DIR=${STACK_DIR:-$root/.local}
BIN_DIR=${BIN_DIR:-$root/bin}
KUMO_PORT=${KUMO_PORT:-4566}
KMS_PORT=${KMS_PORT:-4599}
DCSIM_PORT=${DCSIM_PORT:-8099}
STACK_WAIT=${STACK_WAIT:-120}
if [[ -z ${STACK_SERVICES:-} ]]; then
  if [[ -n ${AWS_ENDPOINT_URL:-} ]]; then
    STACK_SERVICES="dcsim"
  else
    STACK_SERVICES="kumo kms dcsim"
  fi
fi
read -r -a services <<<"$STACK_SERVICES"

log() { printf 'stack: %s\n' "$*" >&2; }

port_of() {
  case $1 in
    kumo) echo "$KUMO_PORT" ;;
    kms) echo "$KMS_PORT" ;;
    dcsim) echo "$DCSIM_PORT" ;;
    *) log "unknown service '$1'; known: kumo kms dcsim"; return 1 ;;
  esac
}

# binary_of prints the executable that runs a service. pid_of compares it
# with /proc/PID/exe, so a pid reused by another program is never signalled.
binary_of() {
  case $1 in
    kumo) echo "$BIN_DIR/kumo" ;;
    kms) echo "$BIN_DIR/local-kms" ;;
    dcsim) echo "$STACK_DIR/bin/dcsim" ;;
  esac
}

pid_file() { echo "$STACK_DIR/run/$1.pid"; }
log_file() { echo "$STACK_DIR/logs/$1.log"; }

# pid_of prints the pid of a running service started by this script, or
# fails (and removes a stale pid file).
pid_of() {
  local file pid exe
  file=$(pid_file "$1")
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    exe=$(readlink -f "/proc/$pid/exe" 2>/dev/null || true)
    if [[ $exe == "$(readlink -f "$(binary_of "$1")")" ]]; then
      echo "$pid"
      return 0
    fi
  fi
  rm -f "$file"
  return 1
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# build_dcsim compiles the simulated Data Center into the state directory,
# so that the pid file names the server itself, not a go run wrapper.
build_dcsim() {
  if ! compgen -G "$root/scripts/dcsim/*.go" >/dev/null; then
    log "scripts/dcsim has no Go files yet; cannot start dcsim"
    return 1
  fi
  mkdir -p "$STACK_DIR/bin"
  go build -o "$STACK_DIR/bin/dcsim" ./scripts/dcsim
}

launch() {
  local service=$1 port=$2 out=$3
  case $service in
    kumo)
      KUMO_HOST=127.0.0.1 KUMO_PORT=$port \
        setsid "$BIN_DIR/kumo" serve --host 127.0.0.1 --port "$port" >>"$out" 2>&1 </dev/null &
      ;;
    kms)
      mkdir -p "$STACK_DIR/kms-data"
      PORT=$port KMS_REGION=us-east-1 KMS_ACCOUNT_ID=000000000000 \
        KMS_DATA_PATH="$STACK_DIR/kms-data" KMS_SEED_PATH="${KMS_SEED_PATH:-/nonexistent}" \
        setsid "$BIN_DIR/local-kms" >>"$out" 2>&1 </dev/null &
      ;;
    dcsim)
      DCSIM_PORT=$port setsid "$STACK_DIR/bin/dcsim" >>"$out" 2>&1 </dev/null &
      ;;
  esac
  echo $!
}

start_one() {
  local service=$1 port pid out binary waited=0
  port=$(port_of "$service")
  out=$(log_file "$service")
  binary=$(binary_of "$service")

  if port_open "$port"; then
    log "$service: port 127.0.0.1:$port is already in use by another process; free it or set the port variable"
    return 1
  fi
  if [[ $service == dcsim ]]; then
    build_dcsim || return 1
  elif [[ ! -x $binary ]]; then
    log "$service: $binary is missing; run make tools"
    return 1
  fi

  printf '\n--- start %s on 127.0.0.1:%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$port" >>"$out"
  pid=$(launch "$service" "$port" "$out")
  echo "$pid" >"$(pid_file "$service")"

  until port_open "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$service exited before it listened on port $port; last lines of $out:"
      tail -n 20 "$out" >&2
      rm -f "$(pid_file "$service")"
      return 1
    fi
    if ((waited >= STACK_WAIT * 10)); then
      log "$service did not listen on port $port within ${STACK_WAIT}s; see $out"
      stop_one "$service"
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  log "$service started (pid $pid, 127.0.0.1:$port, log $out)"
}

stop_one() {
  local service=$1 pid waited=0
  if ! pid=$(pid_of "$service"); then
    log "$service is not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 100)); then
      log "$service (pid $pid) ignored SIGTERM for 10s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$(pid_file "$service")"
  log "$service stopped (pid $pid)"
}

cmd_start() {
  local service pid i running=() started=()
  for service in "${services[@]}"; do
    port_of "$service" >/dev/null
    if pid=$(pid_of "$service"); then
      running+=("$service (pid $pid)")
    fi
  done
  if ((${#running[@]} > 0)); then
    log "already running: ${running[*]}; run scripts/stack.sh stop first"
    return 1
  fi

  mkdir -p "$STACK_DIR/run" "$STACK_DIR/logs"
  for service in "${services[@]}"; do
    if ! start_one "$service"; then
      for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        stop_one "${started[i]}"
      done
      return 1
    fi
    started+=("$service")
  done
}

cmd_stop() {
  local i
  # Stop in reverse start order.
  for ((i = ${#services[@]} - 1; i >= 0; i--)); do
    port_of "${services[i]}" >/dev/null
    stop_one "${services[i]}"
  done
}

cmd_status() {
  local service pid all=0
  for service in "${services[@]}"; do
    if pid=$(pid_of "$service"); then
      printf '%-6s running  pid %-7s 127.0.0.1:%s\n' "$service" "$pid" "$(port_of "$service")"
    else
      printf '%-6s stopped\n' "$service"
      all=3
    fi
  done
  return "$all"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
