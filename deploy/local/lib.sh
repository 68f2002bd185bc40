#!/usr/bin/env bash
# Shared helpers for run.sh and test.sh: install what is missing, pick loopback ports, start and stop the servers
# this run owns. Sourced, not executed. Every process started here is remembered by PID and stopped by PID.

BN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BN_PIDS=()

bn_log() { printf '\033[1m[bn]\033[0m %s\n' "$*" >&2; }
bn_die() { printf '\033[31m[bn] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root (directly, or through sudo when not root).
bn_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else bn_die "need root (or sudo) to run: $*"; fi
}

# Installs the Debian packages that are missing; never starts their services (there may be no init system at all).
bn_require_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  bn_log "installing Debian packages: ${missing[*]}"
  # policy-rc.d exit 101 keeps the packages' init scripts from starting daemons we did not ask for.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | bn_as_root tee "$policy" >/dev/null && bn_as_root chmod +x "$policy" && created_policy=1
  fi
  bn_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  bn_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_policy" -eq 1 ] && bn_as_root rm -f "$policy"
  return 0
}

# bn_build_release LOG TARGET...: builds each project or solution in Release, quietly; on failure shows the log's tail
# and stops the script.
bn_build_release() {
  local log=$1 target; shift
  for target in "$@"; do
    dotnet build "$target" -c Release -nologo -v q -clp:NoSummary >"$log" 2>&1 \
      || { tail -n 30 "$log"; bn_die "build of $target failed (full log: $log)"; }
  done
}

bn_require_dotnet() {
  command -v dotnet >/dev/null || bn_die "the .NET SDK is not on PATH; install .NET 10 (https://dot.net) and run again"
}

# True when nothing listens on 127.0.0.1:PORT.
bn_port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port the OS considers free right now.
bn_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || shuf -i 20000-60000 -n 1
}

# bn_pick_port NAME DEFAULT ENV_VALUE: the port to use for NAME. An explicit setting must be free; a taken default is
# replaced by a free port, said out loud. Never attaches to a server this run did not start.
bn_pick_port() {
  local name=$1 default=$2 requested=${3:-} port
  if [ -n "$requested" ]; then
    bn_port_free "$requested" || bn_die "$name port $requested (set in the environment) is already in use by another process"
    echo "$requested"; return
  fi
  if bn_port_free "$default"; then echo "$default"; return; fi
  port=$(bn_free_port)
  while ! bn_port_free "$port"; do port=$(bn_free_port); done
  bn_log "port $default is taken by another process; using $port for $name instead"
  echo "$port"
}

# bn_fill TEMPLATE OUT KEY=VALUE...: copies a template, replacing @KEY@ with VALUE.
bn_fill() {
  local template=$1 out=$2; shift 2
  local content kv
  content=$(cat "$template")
  for kv in "$@"; do content=${content//@${kv%%=*}@/${kv#*=}}; done
  printf '%s\n' "$content" > "$out"
}

# bn_wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds or the time is up.
bn_wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && bn_die "$what did not come up within ${seconds}s"
    sleep 0.2
  done
}

# Raises this shell's open-file limit (inherited by mosquitto, the worker and the simulator) as far as allowed: every
# device connection is a socket in both the simulator and the broker (10,000 devices need > 10,000 descriptors each).
bn_raise_fd_limit() {
  local hard
  hard=$(ulimit -Hn)
  if [ "$hard" != "unlimited" ] && [ "$hard" -lt 65536 ] && [ "$(id -u)" -eq 0 ]; then
    ulimit -Hn 65536 2>/dev/null && hard=65536
  fi
  ulimit -n "$hard" 2>/dev/null || true
  [ "$(ulimit -n)" = "unlimited" ] || [ "$(ulimit -n)" -ge 20000 ] \
    || bn_log "open-file limit is $(ulimit -n): fewer than 10,000 per-device connections will fit"
}

bn_start_mosquitto() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  bn_fill "$BN_ROOT/deploy/local/mosquitto.conf.template" "$dir/mosquitto.conf" "PORT=$port" "DATA_DIR=$dir" "USER=$(id -un)"
  /usr/sbin/mosquitto -c "$dir/mosquitto.conf" >>"$dir/mosquitto.out" 2>&1 &
  BN_PIDS+=($!)
  bn_wait_for "mosquitto on 127.0.0.1:$port" 15 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$port)"
}

bn_start_influxd() {
  local dir=$1 port=$2 rpc
  rpc=$(bn_free_port)
  mkdir -p "$dir"
  bn_fill "$BN_ROOT/deploy/local/influxdb.conf.template" "$dir/influxdb.conf" "PORT=$port" "RPC_PORT=$rpc" "DATA_DIR=$dir"
  influxd -config "$dir/influxdb.conf" >>"$dir/influxd.log" 2>&1 &
  BN_PIDS+=($!)
  bn_wait_for "influxd on 127.0.0.1:$port" 30 curl -sf "http://127.0.0.1:$port/ping"
  curl -sf -XPOST "http://127.0.0.1:$port/query" --data-urlencode "q=CREATE DATABASE telemetry" >/dev/null \
    || bn_die "could not create database telemetry"
}

# Stops every process this run started: SIGTERM, then SIGKILL after 15 s.
bn_stop_all() {
  local i pid deadline
  [ ${#BN_PIDS[@]} -eq 0 ] && return 0
  # Last started, first stopped, one at a time: the simulator, dashboard and worker finish (the worker stores and
  # acknowledges what it holds) while the broker and InfluxDB are still there.
  for ((i=${#BN_PIDS[@]}-1; i>=0; i--)); do
    pid=${BN_PIDS[$i]}
    kill -TERM "$pid" 2>/dev/null || continue
    deadline=$((SECONDS + 50))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  BN_PIDS=()
}
