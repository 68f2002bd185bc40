#!/usr/bin/env bash
# The main job on one machine: MQTT broker, InfluxDB, ingest worker, dashboard and (unless BN_SIM=0) a simulated fleet.
# Installs what is missing, starts everything on loopback with its data in a fresh run folder, prints where each
# endpoint is, and stops everything it started on Ctrl-C.
#   BN_MQTT_PORT (1883)  BN_INFLUX_PORT (8086)  BN_DASHBOARD_PORT (5080)  BN_WORKER_PORT (9464: worker metrics, health)
#   BN_SIM (1)  BN_RUN_DIR (a new temp folder)
#   BN_BUILD (1; 0 uses the binaries already built)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BN_ROOT"

bn_require_dotnet
bn_require_packages mosquitto mosquitto-clients influxdb influxdb-client

MQTT_PORT=$(bn_pick_port MQTT 1883 "${BN_MQTT_PORT:-}")
INFLUX_PORT=$(bn_pick_port InfluxDB 8086 "${BN_INFLUX_PORT:-}")
DASHBOARD_PORT=$(bn_pick_port dashboard 5080 "${BN_DASHBOARD_PORT:-}")
WORKER_PORT=$(bn_pick_port "worker metrics" 9464 "${BN_WORKER_PORT:-}")
RUN_DIR=${BN_RUN_DIR:-$(mktemp -d /tmp/bn-run.XXXXXX)}
mkdir -p "$RUN_DIR"

trap 'echo; bn_log "stopping everything this run started"; bn_stop_all' EXIT
trap 'exit 130' INT TERM

# Thousands of simulated devices each hold a socket in the simulator and in mosquitto: lift the open-file limit.
bn_raise_fd_limit

if [ "${BN_BUILD:-1}" != "0" ]; then
  bn_log "building (Release)"
  bn_build_release "$RUN_DIR/build.log" Ingest.slnx
fi

bn_log "starting mosquitto on 127.0.0.1:$MQTT_PORT"
bn_start_mosquitto "$RUN_DIR/mosquitto" "$MQTT_PORT"
bn_log "starting influxd on 127.0.0.1:$INFLUX_PORT"
bn_start_influxd "$RUN_DIR/influxdb" "$INFLUX_PORT"

REGISTRY="$RUN_DIR/devices.csv"
export DOTNET_ENVIRONMENT=Development
export Mqtt__Host=127.0.0.1 Mqtt__Port=$MQTT_PORT
export Influx__Url=http://127.0.0.1:$INFLUX_PORT Influx__Api=V1 Influx__Database=telemetry

if [ "${BN_SIM:-1}" != "0" ]; then
  # The simulator writes the registry of the fleet it simulates, so the worker enriches with the same sites.
  bn_log "starting the simulated fleet"
  dotnet src/DeviceSim/bin/Release/net10.0/DeviceSim.dll run --host 127.0.0.1 --port "$MQTT_PORT" \
    --air 20 --water 10 --meters 30 --interval 5s --duration 24h --registry-out "$REGISTRY" \
    >"$RUN_DIR/sim.log" 2>&1 &
  BN_PIDS+=($!)
  bn_wait_for "the simulator's device registry" 30 test -s "$REGISTRY"
fi

bn_log "starting the ingest worker"
(
  export Ingest__DataDirectory="$RUN_DIR/worker"
  # Metrics and health on loopback; human-readable log lines here (JSON is the default when output is not a terminal).
  export Urls="http://127.0.0.1:$WORKER_PORT" Logging__Console__FormatterName=simple
  [ -s "$REGISTRY" ] && export Registry__Path="$REGISTRY"
  # A gen0 budget of 64 MiB: the GC sizes gen0 from the CPU's L3 cache, which VMs like this one often do not report,
  # and then collects every ~2 MB (BENCHMARKS.md: 8-10 % of the worker's CPU); 64 rather than 32 MiB because fewer
  # collections then copy the messages in flight (BENCHMARKS.md). Only an environment variable sets it.
  export DOTNET_GCgen0size=0x4000000
  exec dotnet src/Ingest.Worker/bin/Release/net10.0/Ingest.Worker.dll
) > >(tee -a "$RUN_DIR/worker.log" | sed -u 's/^/[worker] /') 2>&1 &
BN_PIDS+=($!)
WORKER_PID=$!

bn_log "starting the dashboard on 127.0.0.1:$DASHBOARD_PORT"
# Demo users environment / energy / admin share one password, made for this run (or BN_DEMO_PASSWORD).
DEMO_PASSWORD=${BN_DEMO_PASSWORD:-demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}
(
  export Access__DemoPassword="$DEMO_PASSWORD"
  [ -s "$REGISTRY" ] && export Registry__Path="$REGISTRY"
  exec dotnet src/Ingest.Dashboard/bin/Release/net10.0/Ingest.Dashboard.dll --urls "http://127.0.0.1:$DASHBOARD_PORT"
) >"$RUN_DIR/dashboard.log" 2>&1 &
BN_PIDS+=($!)
bn_wait_for "the dashboard on 127.0.0.1:$DASHBOARD_PORT" 60 curl -sf "http://127.0.0.1:$DASHBOARD_PORT/health"

cat <<INFO

  Bắc Ninh telemetry — local run
  ────────────────────────────────────────────────────────────────────────
  MQTT broker     mqtt://127.0.0.1:$MQTT_PORT   (topics bn/{domain}/{site}/{device}/telemetry)
  InfluxDB        http://127.0.0.1:$INFLUX_PORT  (database telemetry)
                  influx -port $INFLUX_PORT -database telemetry -execute "SELECT * FROM air ORDER BY time DESC LIMIT 5"
  Worker          metrics: http://127.0.0.1:$WORKER_PORT/metrics   health: http://127.0.0.1:$WORKER_PORT/health/ready
  Dashboard       http://127.0.0.1:$DASHBOARD_PORT   health: /health/ready   metrics: /metrics
                  demo users (password $DEMO_PASSWORD): environment (air, water), energy (meters), admin (all)
  Simulator       $([ "${BN_SIM:-1}" != "0" ] && echo "20 air, 10 water, 30 meters every 5 s (log: $RUN_DIR/sim.log)" || echo "off (BN_SIM=0)")
  Run folder      $RUN_DIR  (worker.log, dashboard.log, quarantine and spool under worker/)
  Try it          mosquitto_pub -p $MQTT_PORT -q 1 -t bn/air/tien-son/air-ts-0001/telemetry \\
                    -m '{"id":"air-ts-0001","ts":"'\$(date -u +%FT%T.000Z)'","seq":1,"values":{"pm25":42.5,"pm10":80}}'
  Ctrl-C stops everything this script started.
  ────────────────────────────────────────────────────────────────────────

INFO

wait "$WORKER_PID"
