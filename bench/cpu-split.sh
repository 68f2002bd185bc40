#!/usr/bin/env bash
# Where the machine's CPU goes per message — the bound on goal 1a of issue 7 (BENCHMARKS.md, "What limits the figures").
# Starts its own mosquitto and influxd on free loopback ports (data in a temp folder) and, CPU_SPLIT_RUNS times:
#   1. the broker's QoS 1 ceiling as bench/run.sh measures it (200,000 bench documents, one publisher connection, one
#      subscriber in the probe): messages/s, and CPU per message of the probe (publisher + subscriber) and mosquitto;
#   2. InfluxDB's ceiling for the single-reading series' points (500,000 points of 10,000 devices, batches of 5,000):
#      points/s and influxd's CPU per point;
# then starts the worker and, CPU_SPLIT_RUNS times, one pipeline step at CPU_SPLIT_RATE readings/s (one reading per
# message, 10,000 devices, as bench/run.sh's single series): CPU per reading of the probe (publisher + store polling),
# mosquitto, the worker and influxd. Reads each process's CPU from /proc (the probe's from /usr/bin/time). Prints the
# medians and the highest single ÷ broker-ceiling ratio the two cores allow with the worker as measured and with a
# worker that cost nothing: (probe + mosquitto in the ceiling) ÷ (probe + mosquitto + influxd [+ worker]) per message.
# The ceilings run before the worker starts (it would subscribe to the ceiling's topics too).
#
# Settings (environment): CPU_SPLIT_RATE (25000), CPU_SPLIT_RUNS (3), CPU_SPLIT_DEVICES (10000), CPU_SPLIT_SECONDS (10),
# BENCH_BUILD (1; 0 uses the binaries already built). Every load is bounded in count and time; loopback only.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
source "$BENCH_DIR/../deploy/local/lib.sh"
source "$BENCH_DIR/lib.sh"
cd "$BN_ROOT"

RATE=${CPU_SPLIT_RATE:-25000}
RUNS=${CPU_SPLIT_RUNS:-3}
DEVICES=${CPU_SPLIT_DEVICES:-10000}
STEP_S=${CPU_SPLIT_SECONDS:-10}
BROKER_MESSAGES=200000
INFLUX_POINTS=500000
RUN_DIR=$(mktemp -d /tmp/bn-cpu-split.XXXXXX)
PROBE_DLL="$BENCH_DIR/Ingest.LoadProbe/bin/Release/net10.0/Ingest.LoadProbe.dll"
WORKER_DLL="$BN_ROOT/src/Ingest.Worker/bin/Release/net10.0/Ingest.Worker.dll"
RESULTS="$RUN_DIR/split.tsv"

trap 'bn_log "stopping everything this run started"; bn_stop_all' EXIT
trap 'exit 130' INT TERM

bn_require_dotnet
bn_require_packages mosquitto influxdb curl python3 time
bn_raise_fd_limit
if [ "${BENCH_BUILD:-1}" != "0" ]; then
  bn_log "building the worker and the load probe (Release)"
  bn_build_release "$RUN_DIR/build.log" src/Ingest.Worker/Ingest.Worker.csproj bench/Ingest.LoadProbe/Ingest.LoadProbe.csproj
fi

bench_start_servers "$RUN_DIR"

influx_query() { curl -sf -XPOST "$INFLUX_URL/query" --data-urlencode "q=$1" >/dev/null; }
# per_unit TICKS COUNT: microseconds of CPU per unit.
per_unit() { python3 -c "print(round($1 * 1e6 / $TICK / $2, 1))"; }
# The probe runs under /usr/bin/time: split_json (bench/lib.sh) reads its CPU from there.
# probe ARGS...: the load probe under /usr/bin/time (its CPU seconds in $RUN_DIR/probe.time), bounded in time.
probe() {
  /usr/bin/time -f "%U %S" -o "$RUN_DIR/probe.time" timeout --signal=INT --kill-after=30 600 dotnet "$PROBE_DLL" "$@" 2>>"$RUN_DIR/probe.log"
}
json_field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"; }

: > "$RESULTS"
for run in $(seq 1 "$RUNS"); do
  bn_log "run $run: broker QoS 1 ceiling ($BROKER_MESSAGES messages)"
  split_begin
  json=$(probe broker-ceiling --port "$MQTT_PORT" --messages "$BROKER_MESSAGES" --window 1000 --connections 1 --run-id "cs${run}b")
  printf 'broker\t%s\t%s\t%s\n' "$run" "$(json_field "$json" msgs_per_s)" "$(split_json "$BROKER_MESSAGES")" >> "$RESULTS"

  bn_log "run $run: InfluxDB ceiling ($INFLUX_POINTS points of $DEVICES devices)"
  influx_query "CREATE DATABASE cs_ceiling_$run"
  split_begin
  json=$(probe influx-ceiling --influx-url "$INFLUX_URL" --influx-db "cs_ceiling_$run" --points "$INFLUX_POINTS" --batch 5000 \
    --concurrency 2 --devices "$DEVICES" --run-id "cs${run}i")
  printf 'influx\t%s\t%s\t%s\n' "$run" "$(json_field "$json" points_per_s)" "$(split_json "$INFLUX_POINTS")" >> "$RESULTS"
  influx_query "DROP DATABASE cs_ceiling_$run"
done

bn_log "starting the worker"
influx_query "CREATE DATABASE cs_pipeline"
WORKER_PORT=$(bn_free_port)
(
  export DOTNET_ENVIRONMENT=Production Urls="http://127.0.0.1:$WORKER_PORT"
  export Mqtt__Host=127.0.0.1 Mqtt__Port=$MQTT_PORT Mqtt__ClientId="cpu-split-worker-$WORKER_PORT" Mqtt__SessionExpiry=00:00:05
  export Influx__Url=$INFLUX_URL Influx__Api=V1 Influx__Database=cs_pipeline
  export Ingest__DataDirectory="$RUN_DIR/worker" Logging__LogLevel__Default=Warning Logging__Console__FormatterName=simple
  export DOTNET_GCgen0size=0x4000000 Alerting__RulesPath="$BENCH_DIR/alert-rules.bench.json"
  exec dotnet "$WORKER_DLL"
) >>"$RUN_DIR/worker.log" 2>&1 &
WORKER_PID=$!
BN_PIDS+=("$WORKER_PID")
bn_wait_for "the worker" 60 curl -sf "http://127.0.0.1:$WORKER_PORT/health/ready"

step() {
  probe load --mode single --port "$MQTT_PORT" --influx-url "$INFLUX_URL" --influx-db cs_pipeline --devices "$DEVICES" \
    --connections 4 --window 2000 --watch-pid "$WORKER_PID" --alert-devices 10 --max-lag 2.0 --pass-ratio 0.95 \
    --drain-timeout 60 --settle 5 --series-id cs "$@"
}
bn_log "warm-up step at $RATE readings/s"
step --rate "$RATE" --duration 5 --label warmup --run-id cswarm >/dev/null
for run in $(seq 1 "$RUNS"); do
  bn_log "run $run: pipeline step at $RATE readings/s for $STEP_S s"
  split_begin; worker=$(cpu_ticks "$WORKER_PID")
  json=$(step --rate "$RATE" --duration "$STEP_S" --label "cpu-split-$run" --run-id "cs${run}p")
  readings=$(json_field "$json" readings)
  printf 'pipeline\t%s\t%s\t%s\t%s\t%s\n' "$run" "$(json_field "$json" pass)" "$readings" "$(split_json "$readings")" \
    "$(per_unit $(($(cpu_ticks "$WORKER_PID") - worker)) "$readings")" >> "$RESULTS"
done

python3 - "$RESULTS" "$RATE" "$DEVICES" <<'PY'
import json, statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
rate, devices = sys.argv[2], sys.argv[3]
split = lambda cell: json.loads(cell)["cpu_split_us_per_msg"]
broker = [(r[1], float(r[2]), split(r[3])) for r in rows if r[0] == "broker"]
influx = [(float(r[2]), split(r[3])) for r in rows if r[0] == "influx"]
pipe = [(r[1], r[2] == "True", int(r[3]), {**split(r[4]), "worker": float(r[5])}) for r in rows if r[0] == "pipeline"]
med = statistics.median
print(f"| run | broker ceiling msgs/s | its probe µs/msg | its mosquitto µs/msg | InfluxDB ceiling points/s ({devices} devices) | influxd µs/point |")
print("|---|---|---|---|---|---|")
for (run, msgs, b), (points, i) in zip(broker, influx):
    print(f"| {run} | {msgs:,.0f} | {b['probe']} | {b['mosquitto']} | {points:,.0f} | {i['influxd']} |")
print()
print(f"| run | pipeline step at {rate}/s | readings | probe µs | mosquitto µs | worker µs | influxd µs | all four µs per reading |")
print("|---|---|---|---|---|---|---|---|")
for run, passed, readings, p in pipe:
    total = p["probe"] + p["mosquitto"] + p["worker"] + p["influxd"]
    print(f"| {run} | {'passed' if passed else 'failed'} | {readings:,} | {p['probe']} | {p['mosquitto']} | {p['worker']} | {p['influxd']} | {total:.1f} |")
ceiling_cost = med(b["probe"] for _, _, b in broker) + med(b["mosquitto"] for _, _, b in broker)
probe, mosquitto, worker, influxd = (med(p[k] for *_, p in pipe) for k in ("probe", "mosquitto", "worker", "influxd"))
print()
print(f"Medians: the broker ceiling costs {ceiling_cost:.1f} µs of CPU per message (probe + mosquitto); a pipeline reading "
      f"{probe + mosquitto + worker + influxd:.1f} µs (probe {probe:.1f}, mosquitto {mosquitto:.1f}, worker {worker:.1f}, influxd {influxd:.1f}).")
print(f"On the same cores, single ÷ broker ceiling can reach about {ceiling_cost / (probe + mosquitto + worker + influxd):.0%} "
      f"with this worker, and about {ceiling_cost / (probe + mosquitto + influxd):.0%} with a worker that cost no CPU at all (goal 1a asks 80 %).")
PY
