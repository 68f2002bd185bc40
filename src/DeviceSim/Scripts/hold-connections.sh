#!/usr/bin/env bash
# Acceptance check for per-device connections: N simulated devices (default 10,000), each with its own MQTT connection
# and a will ("offline", retained) on bn/{domain}/{site}/{device}/status, held against a local mosquitto (the project's
# deploy/local/mosquitto.conf.template) for HOLD seconds; then the simulator is killed with SIGKILL and an independent
# subscriber on bn/+/+/+/status counts the distinct devices whose will it receives.
#
#   src/DeviceSim/Scripts/hold-connections.sh                    # 10,000 devices, held 60 s
#   DEVICES=2000 HOLD=20 src/DeviceSim/Scripts/hold-connections.sh
#
# Needs: mosquitto, mosquitto-clients, a built simulator (dotnet build src/DeviceSim -c Release). Everything it starts
# (mosquitto, subscriber, simulator) is stopped by PID on exit; the broker's data lives in a temporary folder.
# Exit code 0 when every device connected and every will was observed.
set -euo pipefail
source "$(dirname "$0")/../../../deploy/local/lib.sh"
cd "$BN_ROOT"

DEVICES=${DEVICES:-10000}
HOLD=${HOLD:-60}
SIM_DLL=${SIM_DLL:-src/DeviceSim/bin/Release/net10.0/DeviceSim.dll}
[ -f "$SIM_DLL" ] || bn_die "no simulator at $SIM_DLL; build it: dotnet build src/DeviceSim -c Release"
command -v mosquitto_sub >/dev/null || bn_die "mosquitto_sub missing (apt-get install mosquitto-clients)"

bn_raise_fd_limit
need=$((DEVICES + 1000))
[ "$(ulimit -n)" = "unlimited" ] || [ "$(ulimit -n)" -ge "$need" ] || bn_die "open-file limit $(ulimit -n) < $need needed for $DEVICES connections"

WORK=$(mktemp -d /tmp/bn-hold.XXXXXX)
trap 'bn_stop_all; bn_log "logs kept in $WORK"' EXIT
PORT=$(bn_pick_port MQTT "$(bn_free_port)" "")
bn_log "mosquitto on 127.0.0.1:$PORT (open-file limit $(ulimit -n)), work folder $WORK"
bn_start_mosquitto "$WORK/mosquitto" "$PORT"
MOSQUITTO_PID=${BN_PIDS[-1]}

# The independent observer: every status message with its arrival time (Unix seconds with nanoseconds).
mosquitto_sub -h 127.0.0.1 -p "$PORT" -i hold-observer -q 1 -t 'bn/+/+/+/status' -F '%U %t %p' >"$WORK/status.log" 2>"$WORK/observer.err" &
BN_PIDS+=($!)
sleep 0.5

# Ten-thousand devices across the province: 4 air : 2 water : 4 meters, one reading a minute each.
air=$((DEVICES * 4 / 10)); water=$((DEVICES * 2 / 10)); meters=$((DEVICES - air - water))
start_ms=$(date +%s%3N)
dotnet "$SIM_DLL" run --host 127.0.0.1 --port "$PORT" --mode PerDevice --air "$air" --water "$water" --meters "$meters" \
  --interval 60s --duration 30m --connect-concurrency 200 --progress-interval 5s --client-id-prefix hold- >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
BN_PIDS+=("$SIM_PID")
bn_log "simulator PID $SIM_PID connecting $DEVICES devices ($air air, $water water, $meters meters)"

deadline=$((SECONDS + 300))
until grep -q '^connected ' "$WORK/sim.log"; do
  kill -0 "$SIM_PID" 2>/dev/null || { tail -n 20 "$WORK/sim.log"; bn_die "the simulator exited while connecting"; }
  [ $SECONDS -lt $deadline ] || bn_die "not connected within 300 s"
  sleep 0.5
done
connected_line=$(grep -m1 '^connected ' "$WORK/sim.log")
connected_ms=$(date +%s%3N)
bn_log "$connected_line"
online=$(awk '$3 == "online"' "$WORK/status.log" | awk '{print $2}' | sort -u | wc -l)

bn_log "holding $DEVICES connections for ${HOLD}s"
sleep "$HOLD"
sim_rss=$(awk '/VmRSS/ {print $2}' "/proc/$SIM_PID/status")
broker_rss=$(awk '/VmRSS/ {print $2}' "/proc/$MOSQUITTO_PID/status")
broker_fds=$(ls "/proc/$MOSQUITTO_PID/fd" | wc -l)
established=$(ss -Htn state established "( dport = :$PORT )" | wc -l)
progress=$(grep '^\[' "$WORK/sim.log" | tail -n 1)
bn_log "after ${HOLD}s: $progress"
bn_log "established client sockets to the broker: $established; broker fds $broker_fds, RSS $((broker_rss / 1024)) MiB; simulator RSS $((sim_rss / 1024)) MiB"

# Everything before this line is history; the wills come after it.
before=$(wc -l <"$WORK/status.log")
kill_ms=$(date +%s%3N)
kill -KILL "$SIM_PID"
bn_log "simulator killed (SIGKILL) — waiting for the wills"
wills=0
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ]; do
  wills=$(tail -n +"$((before + 1))" "$WORK/status.log" | awk '$3 == "offline" {print $2}' | sort -u | wc -l)
  [ "$wills" -ge "$DEVICES" ] && break
  sleep 0.5
done
# Milliseconds from the kill to the last will (float arithmetic: %d would overflow in some awks).
last_will_after=$(tail -n +"$((before + 1))" "$WORK/status.log" | awk -v k="$kill_ms" '$3 == "offline" {t=$1} END {printf "%.0f", (t * 1000) - k}')

cat <<REPORT

  Per-device connections with wills — $(date -u +%FT%TZ)
  ────────────────────────────────────────────────────────────────────────
  devices                $DEVICES  (each its own MQTT connection, will 'offline' retained on its status topic)
  connect                ${connected_line}  (wall clock $(( (connected_ms - start_ms) / 1000 )) s incl. start-up)
  'online' observed      $online distinct devices
  held                   ${HOLD} s; then $established established client sockets (devices + observer), broker fds $broker_fds
  memory                 simulator RSS $((sim_rss / 1024)) MiB, mosquitto RSS $((broker_rss / 1024)) MiB
  killed                 SIGKILL at $(date -u -d @$((kill_ms / 1000)) +%T)
  wills observed         $wills of $DEVICES distinct devices, last ${last_will_after} ms after the kill
  ────────────────────────────────────────────────────────────────────────
REPORT
[ "$wills" -ge "$DEVICES" ] && [ "$online" -ge "$DEVICES" ]
