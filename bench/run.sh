#!/usr/bin/env bash
# Benchmarks of issue 7 in one run: starts its own mosquitto and influxd on free loopback ports (data in a temp folder) and
# measures, BENCH_RUNS times each, in this order per repetition:
#   1. raw ceilings — InfluxDB /write bulk ingest of pre-built line protocol in batches of 5,000 (points/s), and the
#      broker's QoS 1 throughput for the same ~180-byte JSON documents between a publisher and a subscriber (msgs/s);
#   2. the peer — Node-RED (mqtt in → function → join → influxdb batch, bench/peers/node-red) at stepped rates;
#   3. the pipeline — publisher → broker → worker → InfluxDB at stepped rates until a step fails, one reading per message
#      and gateway batches of 100, then one step at half the sustained maximum (the latency goal);
# each measurement writing to an empty InfluxDB database of its own, dropped after it (so none pays for another's data),
# and around each the CPU per message of the probe, mosquitto and influxd (where the CPU goes: goal 1a's bound);
# then prints min/median/max, ratios against the ceilings and the peer, the fleet size, and the goals of issue 7 as a
# markdown report (stdout and bench/results/<UTC date-time>.md). Stops only the processes it started, by PID.
#
# Settings (environment):
#   BENCH_QUICK=1            smoke run (< 3 min): 1 repetition, 3 s steps, two small rates per series, small ceilings
#   BENCH_SERIES ("ceilings peer single gateway alerts")  which measurements to take (a subset skips the others)
#   BENCH_RUNS (3; quick 1)  repetitions of every measurement (min/median/max over them)
#   BENCH_STEP_SECONDS (10; quick 3)          length of one load step
#   BENCH_SINGLE_RATES ("5000 10000 … 40000") readings/s of the one-reading-per-message steps (ascending)
#   BENCH_GATEWAY_RATES ("25000 … 150000")    readings/s of the gateway-batch steps (ascending)
#   BENCH_PEER_RATES (the single rates)       msgs/s of the Node-RED steps (ascending); BENCH_PEER=0 skips the peer
#   BENCH_WARMUP_SECONDS (5; quick 2)  an unjudged step at the first rate after each (re)start: JIT, connections, series
#   BENCH_HALF_STEP (1)      0 skips the step at half the sustained maximum
#   BENCH_DEVICES (10000)    devices of the single-reading and peer load; BENCH_GATEWAYS (20) × BENCH_BATCH (100) children
#   BENCH_CONNECTIONS (4), BENCH_WINDOW (2000)    publisher connections and QoS 1 publishes in flight
#   BENCH_INFLUX_POINTS (500000; quick 100000), BENCH_INFLUX_CONCURRENCY (2)   raw InfluxDB ceiling
#   BENCH_BROKER_MESSAGES (200000; quick 40000), BENCH_BROKER_WINDOW (1000), BENCH_BROKER_CONNECTIONS (1)   broker ceiling
#   BENCH_MAX_LAG (2.0 s), BENCH_PASS_RATIO (0.95)  a step passes with zero loss, ≥ ratio × target published and the last
#                            point stored ≤ lag after the last publish
#   BENCH_DRAIN_TIMEOUT (60 s), BENCH_SETTLE (5 s)  after publishing, wait for the store at most this long, or until it
#                            has not grown for the settle time
#   BENCH_ALERT_DEVICES (10) devices that alternate PM2.5 spikes (alert latency); 0 turns it off
#   BENCH_ALERT_RULES (bench/alert-rules.bench.json; "default" keeps the worker's own rules file)
#   BENCH_ALERT_SERIES (1)   the alert series of issue 4: a fresh worker, BENCH_ALERT_FLEET (10000) devices of which 1 %
#                            cross the PM2.5 limit every 2 s, BENCH_ALERT_RATE (3000) readings/s for BENCH_ALERT_SECONDS
#                            (20; quick 5) after a warm-up step; alert latency receipt → publication from the events'
#                            receivedAt, and the worker's own ingest_alerts_latency histogram; 0 skips it
#   BENCH_MAX_MINUTES (40)   no new step starts after this; BENCH_BUILD (1; 0 uses the binaries already built)
#   BENCH_OUT (bench/results) where the report goes; BENCH_RUN_DIR (a new temp folder) servers' data and logs
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
source "$BENCH_DIR/../deploy/local/lib.sh"
source "$BENCH_DIR/lib.sh"
cd "$BN_ROOT"

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = "1" ]; then
  RUNS=${BENCH_RUNS:-1}; STEP_S=${BENCH_STEP_SECONDS:-3}
  SINGLE_RATES=${BENCH_SINGLE_RATES:-"2000 5000"}; GATEWAY_RATES=${BENCH_GATEWAY_RATES:-"10000 30000"}
  PEER_RATES=${BENCH_PEER_RATES:-$SINGLE_RATES}
  INFLUX_POINTS=${BENCH_INFLUX_POINTS:-100000}; BROKER_MESSAGES=${BENCH_BROKER_MESSAGES:-40000}
  DEVICES=${BENCH_DEVICES:-2000}
else
  RUNS=${BENCH_RUNS:-3}; STEP_S=${BENCH_STEP_SECONDS:-10}
  SINGLE_RATES=${BENCH_SINGLE_RATES:-"5000 10000 15000 20000 25000 30000 35000 40000"}
  GATEWAY_RATES=${BENCH_GATEWAY_RATES:-"25000 50000 75000 100000 125000 150000"}
  # The peer steps on the single-reading series' rates unless told otherwise: goal 1b compares the two sustained
  # maxima, which on different grids compares grid points as much as systems.
  PEER_RATES=${BENCH_PEER_RATES:-$SINGLE_RATES}
  INFLUX_POINTS=${BENCH_INFLUX_POINTS:-500000}; BROKER_MESSAGES=${BENCH_BROKER_MESSAGES:-200000}
  DEVICES=${BENCH_DEVICES:-10000}
fi
PEER=${BENCH_PEER:-1}
WARMUP_S=${BENCH_WARMUP_SECONDS:-$([ "$QUICK" = "1" ] && echo 2 || echo 5)}
HALF_STEP=${BENCH_HALF_STEP:-1}
GATEWAYS=${BENCH_GATEWAYS:-20}
BATCH=${BENCH_BATCH:-100}
CONNECTIONS=${BENCH_CONNECTIONS:-4}
WINDOW=${BENCH_WINDOW:-2000}
INFLUX_CONCURRENCY=${BENCH_INFLUX_CONCURRENCY:-2}
BROKER_WINDOW=${BENCH_BROKER_WINDOW:-1000}
BROKER_CONNECTIONS=${BENCH_BROKER_CONNECTIONS:-1}
MAX_LAG=${BENCH_MAX_LAG:-2.0}
DRAIN_TIMEOUT=${BENCH_DRAIN_TIMEOUT:-60}
SETTLE=${BENCH_SETTLE:-5}
PASS_RATIO=${BENCH_PASS_RATIO:-0.95}
ALERT_DEVICES=${BENCH_ALERT_DEVICES:-10}
ALERT_RULES=${BENCH_ALERT_RULES:-$BENCH_DIR/alert-rules.bench.json}
SERIES=" ${BENCH_SERIES:-ceilings peer single gateway alerts} "
ALERT_SERIES=${BENCH_ALERT_SERIES:-1}
[[ "$SERIES" == *" peer "* ]] || PEER=0
[[ "$SERIES" == *" alerts "* ]] || ALERT_SERIES=0
ALERT_FLEET=${BENCH_ALERT_FLEET:-10000}
ALERT_RATE=${BENCH_ALERT_RATE:-3000}
ALERT_SECONDS=${BENCH_ALERT_SECONDS:-$([ "$QUICK" = "1" ] && echo 5 || echo 20)}
MAX_MINUTES=${BENCH_MAX_MINUTES:-40}
OUT_DIR=${BENCH_OUT:-$BENCH_DIR/results}
RUN_DIR=${BENCH_RUN_DIR:-$(mktemp -d /tmp/bn-bench.XXXXXX)}
STAMP=$(date -u +%Y-%m-%dT%H%MZ)
RESULTS="$RUN_DIR/results.jsonl"
PROBE_DLL="$BENCH_DIR/Ingest.LoadProbe/bin/Release/net10.0/Ingest.LoadProbe.dll"
WORKER_DLL="$BN_ROOT/src/Ingest.Worker/bin/Release/net10.0/Ingest.Worker.dll"
NR_DIR="$BENCH_DIR/peers/node-red"
mkdir -p "$RUN_DIR" "$OUT_DIR"
: > "$RESULTS"

trap 'bn_log "stopping everything this run started"; bn_stop_all' EXIT
trap 'exit 130' INT TERM

bn_require_dotnet
bn_require_packages mosquitto mosquitto-clients influxdb curl python3 time
bn_raise_fd_limit

if [ "${BENCH_BUILD:-1}" != "0" ]; then
  bn_log "building the worker and the load probe (Release)"
  bn_build_release "$RUN_DIR/build.log" src/Ingest.Worker/Ingest.Worker.csproj bench/Ingest.LoadProbe/Ingest.LoadProbe.csproj
fi
[ -f "$PROBE_DLL" ] && [ -f "$WORKER_DLL" ] || bn_die "binaries missing; run without BENCH_BUILD=0"

if [ "$PEER" = "1" ]; then
  command -v node >/dev/null && command -v npm >/dev/null || bn_require_packages nodejs npm
  if [ ! -f "$NR_DIR/node_modules/node-red/red.js" ] || [ "$NR_DIR/package-lock.json" -nt "$NR_DIR/node_modules/.package-lock.json" ]; then
    bn_log "installing Node-RED for the peer (npm ci in bench/peers/node-red)"
    (cd "$NR_DIR" && npm ci --no-audit --no-fund >"$RUN_DIR/npm.log" 2>&1) || { tail -n 20 "$RUN_DIR/npm.log"; bn_die "npm ci failed"; }
  fi
fi

bench_start_servers "$RUN_DIR"
BENCH_START=$SECONDS

out_of_time() { [ $((SECONDS - BENCH_START)) -ge $((MAX_MINUTES * 60)) ]; }

# Forgets a PID this script stopped itself, so bn_stop_all never signals a reused PID.
forget_pid() {
  local kept=() p
  for p in "${BN_PIDS[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  BN_PIDS=("${kept[@]}")
}

# stop_pid PID: SIGTERM, SIGKILL after 60 s; only a PID this script started.
stop_pid() {
  local pid=$1 deadline=$((SECONDS + 60))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

# record RUN SERIES JSON [MORE]: one line of results.jsonl; MORE (a JSON object) is merged into the probe's result.
record() {
  if [ -z "$3" ]; then bn_log "$2 (run $1): the probe gave no result; left out"; return 0; fi
  local result=$3
  [ -n "${4:-}" ] && result=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r.update(json.loads(sys.argv[2])); print(json.dumps(r))' "$3" "$4")
  printf '{"run":%s,"series":"%s","result":%s}\n' "$1" "$2" "$result" >> "$RESULTS"
}


# influx_query Q: one InfluxQL statement against the bench's InfluxDB.
influx_query() { curl -sf -XPOST "$INFLUX_URL/query" --data-urlencode "q=$1" >/dev/null; }

# fresh_db NAME: every measurement writes to a database of its own, created empty before it and dropped after it
# (drop_db), so each starts from the same InfluxDB state whatever ran before: no series index, no shards being
# compacted. Before, all wrote to one database, and the later a series ran, the more it paid for the ones before it.
fresh_db() { influx_query "DROP DATABASE \"$1\"" || true; influx_query "CREATE DATABASE \"$1\"" || bn_die "could not create database $1"; }
drop_db() { influx_query "DROP DATABASE \"$1\"" || bn_log "could not drop database $1"; }

# probe ARGS...: runs the load probe with a hard time bound; its JSON result on stdout, progress to the terminal.
probe() {
  /usr/bin/time -f "%U %S" -o "$RUN_DIR/probe.time" \
    timeout --signal=INT --kill-after=30 900 dotnet "$PROBE_DLL" "$@" 2> >(sed -u 's/^/    /' >&2)
}

json_field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"; }

# series_code SERIES: a short name for device ids and the site tag (the steps of one series share devices and site).
series_code() { printf '%s' "$1" | tr -dc 'a-z' | rev | cut -c1-6 | rev; }

# stepped RUN SERIES PID MODE RATES...: steps up until one fails (saturation), recording each; prints the sustained maximum.
stepped() {
  local run=$1 series=$2 pid=$3 mode=$4; shift 4
  local rate json best=0 sustained code
  code=$(series_code "$series")
  if [ "$WARMUP_S" != "0" ]; then
    json=$(probe load --mode "$mode" --port "$MQTT_PORT" --influx-url "$INFLUX_URL" --influx-db "$DB" --rate "$1" --duration "$WARMUP_S" \
      --devices "$DEVICES" --gateways "$GATEWAYS" --batch "$BATCH" --connections "$CONNECTIONS" --window "$WINDOW" \
      --watch-pid "$pid" --max-lag "$MAX_LAG" --pass-ratio "$PASS_RATIO" --drain-timeout "$DRAIN_TIMEOUT" --settle "$SETTLE" --label "$series-warmup" \
      --run-id "r${run}${code}warm" --series-id "r${run}${code}") && record "$run" "$series-warmup" "$json"
  fi
  for rate in "$@"; do
    if out_of_time; then bn_log "time budget of $MAX_MINUTES min reached: no more steps"; break; fi
    split_begin
    json=$(probe load --mode "$mode" --port "$MQTT_PORT" --influx-url "$INFLUX_URL" --influx-db "$DB" --rate "$rate" --duration "$STEP_S" \
      --devices "$DEVICES" --gateways "$GATEWAYS" --batch "$BATCH" --connections "$CONNECTIONS" --window "$WINDOW" \
      --watch-pid "$pid" --alert-devices "$ALERT_DEVICES_NOW" --max-lag "$MAX_LAG" --pass-ratio "$PASS_RATIO" --drain-timeout "$DRAIN_TIMEOUT" --settle "$SETTLE" \
      --label "$series" --run-id "r${run}${code}${rate}" --series-id "r${run}${code}") || { bn_log "probe failed at $rate/s"; break; }
    record "$run" "$series" "$json" "$(split_json "$(json_field "$json" messages)")"
    sustained=$(json_field "$json" sustained_readings_per_s)
    [ -n "$sustained" ] || break
    best=$(python3 -c "print(max(float('$best'), float('$sustained')))")
  done
  echo "$best"
}

# half_step RUN SERIES PID MODE MAX: one step at half the sustained maximum (the latency goal).
half_step() {
  local run=$1 series=$2 pid=$3 mode=$4 max=$5 rate json
  [ "$HALF_STEP" = "1" ] || return 0
  rate=$(python3 -c "print(int(float('$max') / 2))")
  [ "$rate" -gt 0 ] || { bn_log "$series: no step passed; no half-maximum step"; return 0; }
  out_of_time && return 0
  sleep "$SETTLE" # let the backlog of the failed step settle (InfluxDB compaction, acknowledgements)
  json=$(probe load --mode "$mode" --port "$MQTT_PORT" --influx-url "$INFLUX_URL" --influx-db "$DB" --rate "$rate" --duration "$STEP_S" \
    --devices "$DEVICES" --gateways "$GATEWAYS" --batch "$BATCH" --connections "$CONNECTIONS" --window "$WINDOW" \
    --watch-pid "$pid" --alert-devices "$ALERT_DEVICES_NOW" --max-lag "$MAX_LAG" --pass-ratio "$PASS_RATIO" --drain-timeout "$DRAIN_TIMEOUT" --settle "$SETTLE" \
    --label "$series-half" --run-id "r${run}$(series_code "$series")half" --series-id "r${run}$(series_code "$series")") || return 0
  record "$run" "$series-half" "$json"
}

start_worker() {
  local run=$1 rules=$2 port
  port=$(bn_free_port)
  WORKER_PORT=$port
  (
    export DOTNET_ENVIRONMENT=Production Urls="http://127.0.0.1:$port"
    export Mqtt__Host=127.0.0.1 Mqtt__Port=$MQTT_PORT
    # Its own persistent session, gone a few seconds after it stops: with the default fixed client id the broker would
    # keep queueing every later series' messages for it, and the next worker would start behind that backlog.
    export Mqtt__ClientId="bench-worker-$run-$port" Mqtt__SessionExpiry=00:00:05
    export Influx__Url=$INFLUX_URL Influx__Api=V1 Influx__Database="$DB"
    export Ingest__DataDirectory="$RUN_DIR/worker-$run-$RANDOM"
    export Logging__LogLevel__Default=Warning Logging__Console__FormatterName=simple
    # As deployed (deploy/local/run.sh): gen0 budget 64 MiB, which the GC cannot derive on a VM that hides its L3 size.
    export DOTNET_GCgen0size=0x4000000
    [ -n "$rules" ] && export Alerting__RulesPath="$rules"
    exec dotnet "$WORKER_DLL"
  ) >>"$RUN_DIR/worker.log" 2>&1 &
  WORKER_PID=$!
  BN_PIDS+=("$WORKER_PID")
  local deadline=$((SECONDS + 60))
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$WORKER_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      stop_pid "$WORKER_PID"; WORKER_PID=""; return 1
    fi
    sleep 0.3
  done
}

# worker_series RUN SERIES MODE RATES...: a fresh worker (its own data folder), stepped load, the half step, stop.
worker_series() {
  local run=$1 series=$2 mode=$3; shift 3
  local rules="" max
  [ "$ALERT_RULES" != "default" ] && [ "$ALERT_DEVICES" -gt 0 ] && rules="$ALERT_RULES"
  DB="bench_r${run}_$(series_code "$series")"
  fresh_db "$DB"
  if ! start_worker "$run" "$rules"; then
    if [ -n "$rules" ]; then
      bn_log "the worker did not start with $rules (see $RUN_DIR/worker.log); starting it with its own rules"
      echo "worker refused BENCH_ALERT_RULES=$rules" > "$RUN_DIR/alert-note"
      start_worker "$run" "" || bn_die "the worker did not become ready (log: $RUN_DIR/worker.log)"
    else
      bn_die "the worker did not become ready (log: $RUN_DIR/worker.log)"
    fi
  fi
  bn_log "run $run: $series (worker PID $WORKER_PID)"
  max=$(stepped "$run" "$series" "$WORKER_PID" "$mode" "$@")
  bn_log "run $run: $series sustained maximum ${max} readings/s"
  half_step "$run" "$series" "$WORKER_PID" "$mode" "$max"
  stop_pid "$WORKER_PID"
  drop_db "$DB"
}

# alert_histogram BEFORE AFTER: the ingest_alerts_latency buckets of two /metrics scrapes, subtracted, as a JSON result.
alert_histogram() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys
def buckets(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r'ingest_alerts_latency_milliseconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)', line)
        if m:
            out[m.group(1)] = out.get(m.group(1), 0) + float(m.group(2))
    return out
before, after = buckets(sys.argv[1]), buckets(sys.argv[2])
if after:
    print(json.dumps({"kind": "histogram", "buckets": [[le, n - before.get(le, 0)] for le, n in after.items()]}))
PY
}

# alert_series RUN: issue 4's alert benchmark — a fresh worker with the bench rules, ALERT_FLEET devices of which 1 % cross
# the limit (raise, then clear) every 2 s, a warm-up step, then ALERT_SECONDS at ALERT_RATE readings/s. Records the probe's
# step (receipt → event received, from the events' receivedAt) and the worker's ingest_alerts_latency histogram buckets.
alert_series() {
  local run=$1 rules="" alert_devices json code before=""
  [ "$ALERT_RULES" != "default" ] && rules="$ALERT_RULES"
  alert_devices=$(( ALERT_FLEET / 100 ))
  [ "$alert_devices" -gt 0 ] || { bn_log "BENCH_ALERT_FLEET=$ALERT_FLEET is too small for a 1 % crossing rate; no alert series"; return 0; }
  DB="bench_r${run}_alerts"
  fresh_db "$DB"
  start_worker "$run" "$rules" || bn_die "the worker did not become ready for the alert series (log: $RUN_DIR/worker.log)"
  code=$(series_code alerts)
  bn_log "run $run: alert series, $ALERT_FLEET devices, $alert_devices crossing every 2 s, $ALERT_RATE readings/s (worker PID $WORKER_PID)"
  for phase in warmup measured; do
    json=$(probe load --mode single --port "$MQTT_PORT" --influx-url "$INFLUX_URL" --influx-db "$DB" --rate "$ALERT_RATE" \
      --duration "$([ "$phase" = warmup ] && echo "$WARMUP_S" || echo "$ALERT_SECONDS")" \
      --devices "$ALERT_FLEET" --connections "$CONNECTIONS" --window "$WINDOW" --watch-pid "$WORKER_PID" \
      --alert-devices "$alert_devices" --max-lag "$MAX_LAG" --pass-ratio "$PASS_RATIO" --drain-timeout "$DRAIN_TIMEOUT" --settle "$SETTLE" \
      --label "alerts-$phase" --run-id "r${run}${code}${phase}" --series-id "r${run}${code}") || { bn_log "alert series: probe failed"; break; }
    if [ "$phase" = measured ]; then
      record "$run" alerts "$json"
    else
      before=$(curl -sf "http://127.0.0.1:$WORKER_PORT/metrics" || true)
    fi
  done
  # The worker's own measure (receipt of the message → the broker's PUBACK of the alert) over the measured step only.
  record "$run" alerts-worker-histogram "$(alert_histogram "$before" "$(curl -sf "http://127.0.0.1:$WORKER_PORT/metrics" || true)")"
  stop_pid "$WORKER_PID"
  drop_db "$DB"
}

peer_series() {
  local run=$1 user="$RUN_DIR/node-red-$1" port pid deadline max
  mkdir -p "$user"
  DB="bench_r${run}_peer"
  fresh_db "$DB"
  bn_fill "$NR_DIR/flows.template.json" "$user/flows.json" "MQTT_PORT=$MQTT_PORT" "INFLUX_PORT=$INFLUX_PORT" "INFLUX_DB=$DB"
  port=$(bn_free_port)
  BN_NR_FLOWS="$user/flows.json" BN_NR_PORT=$port \
    node "$NR_DIR/node_modules/node-red/red.js" --settings "$NR_DIR/settings.js" --userDir "$user" >"$user/node-red.log" 2>&1 &
  pid=$!
  BN_PIDS+=("$pid")
  deadline=$((SECONDS + 90))
  until grep -q "Connected to broker" "$user/node-red.log" 2>/dev/null && grep -q "Started flows" "$user/node-red.log"; do
    if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$user/node-red.log" >&2; stop_pid "$pid"; bn_die "Node-RED did not start (log: $user/node-red.log)"
    fi
    sleep 0.3
  done
  bn_log "run $run: peer Node-RED (PID $pid)"
  ALERT_DEVICES_NOW=0
  max=$(stepped "$run" peer "$pid" single $PEER_RATES)
  bn_log "run $run: peer sustained maximum ${max} msgs/s"
  stop_pid "$pid"
  drop_db "$DB"
}

bn_log "benchmark: $RUNS repetition(s), ${STEP_S} s steps; results in $RESULTS"
for run in $(seq 1 "$RUNS"); do
  out_of_time && break
  if [[ "$SERIES" == *" ceilings "* ]]; then
    # The gateway series' points: its GATEWAYS × BATCH devices, into an empty database like every series gets.
    bn_log "run $run: InfluxDB raw ceiling ($INFLUX_POINTS points of $((GATEWAYS * BATCH)) devices, batches of 5000, $INFLUX_CONCURRENCY writers)"
    DB="bench_r${run}_ceiling"
    fresh_db "$DB"
    record "$run" influx-ceiling "$(probe influx-ceiling --influx-url "$INFLUX_URL" --influx-db "$DB" --points "$INFLUX_POINTS" --batch 5000 \
      --concurrency "$INFLUX_CONCURRENCY" --devices $((GATEWAYS * BATCH)) --run-id "r${run}i")"
    drop_db "$DB"
    bn_log "run $run: broker QoS 1 ceiling ($BROKER_MESSAGES messages, window $BROKER_WINDOW)"
    split_begin
    json=$(probe broker-ceiling --port "$MQTT_PORT" --messages "$BROKER_MESSAGES" --window "$BROKER_WINDOW" \
      --connections "$BROKER_CONNECTIONS" --run-id "r${run}b") || json=""
    record "$run" broker-ceiling "$json" "$(split_json "$(json_field "$json" messages)")"
  fi
  [ "$PEER" = "1" ] && peer_series "$run"
  ALERT_DEVICES_NOW=$ALERT_DEVICES
  [[ "$SERIES" == *" single "* ]] && worker_series "$run" pipeline-single single $SINGLE_RATES
  [[ "$SERIES" == *" gateway "* ]] && worker_series "$run" pipeline-gateway gateway $GATEWAY_RATES
  [ "$ALERT_SERIES" = "1" ] && ! out_of_time && alert_series "$run"
done

set +o pipefail
MACHINE="$(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr)"
VERSIONS="mosquitto $( (/usr/sbin/mosquitto -h 2>/dev/null || true) | head -n1 | awk '{print $3}'), influxd $( (influxd version 2>/dev/null || true) | awk '{print $2}'), .NET $(dotnet --version)$([ "$PEER" = "1" ] && echo ", node $(node --version), Node-RED $(node -p "require('$NR_DIR/node_modules/node-red/package.json').version")" || true)"
SETTINGS="runs $RUNS, steps ${STEP_S} s, single rates [$SINGLE_RATES], gateway rates [$GATEWAY_RATES] (batches of $BATCH from $GATEWAYS gateways), peer rates [$PEER_RATES], $DEVICES devices, $CONNECTIONS publisher connections, window $WINDOW, pass = zero loss, ≥ $PASS_RATIO × target published, drain lag ≤ $MAX_LAG s; alert series $([ "$ALERT_SERIES" = "1" ] && echo "$ALERT_FLEET devices, 1 % crossing, $ALERT_RATE readings/s, ${ALERT_SECONDS} s" || echo off); alert devices in the pipeline steps $ALERT_DEVICES ($([ "$ALERT_RULES" = "default" ] && echo "worker's rules" || basename "$ALERT_RULES"))$([ -s "$RUN_DIR/alert-note" ] && echo "; $(cat "$RUN_DIR/alert-note")" || true)"
set -o pipefail
REPORT="$OUT_DIR/$STAMP.md"
python3 "$BENCH_DIR/report.py" "$RESULTS" --date "$(date -u '+%Y-%m-%d %H:%M UTC')" --machine "$MACHINE" --versions "$VERSIONS" \
  --settings "$SETTINGS" --quick "$QUICK" | tee "$REPORT"
cp "$RESULTS" "$OUT_DIR/$STAMP.jsonl"
bn_log "report: $REPORT (raw results: $OUT_DIR/$STAMP.jsonl; logs: $RUN_DIR)"
