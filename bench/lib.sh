# Helpers shared by the bench scripts (bench/run.sh, bench/cpu-split.sh); sourced after deploy/local/lib.sh.

# bench_start_servers RUN_DIR: mosquitto and influxd on free loopback ports, data under RUN_DIR. Sets MQTT_PORT,
# INFLUX_PORT, INFLUX_URL, MOSQUITTO_PID and INFLUXD_PID; bn_stop_all stops both.
bench_start_servers() {
  MQTT_PORT=$(bn_free_port)
  INFLUX_PORT=$(bn_free_port)
  bn_log "starting mosquitto on 127.0.0.1:$MQTT_PORT and influxd on 127.0.0.1:$INFLUX_PORT (data in $1)"
  bn_start_mosquitto "$1/mosquitto" "$MQTT_PORT"
  MOSQUITTO_PID=${BN_PIDS[-1]}
  bn_start_influxd "$1/influxdb" "$INFLUX_PORT"
  INFLUXD_PID=${BN_PIDS[-1]}
  INFLUX_URL="http://127.0.0.1:$INFLUX_PORT"
}

# cpu_ticks PID: user + system CPU of a process so far, in clock ticks of TICK per second (0 once it is gone).
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# Where the machine's CPU goes per message in a measurement (goal 1a's limit): split_begin before a probe run under
# `/usr/bin/time -f "%U %S" -o "$RUN_DIR/probe.time"`, then split_json MESSAGES gives {"cpu_split_us_per_msg":
# {"probe", "mosquitto", "influxd"}} — the probe's CPU (publishers, subscriber or store polling) from that file, the
# servers' from /proc (bench_start_servers's PIDs). The worker's or Node-RED's own CPU is measured apart.
split_begin() { SPLIT_MOSQUITTO=$(cpu_ticks "$MOSQUITTO_PID"); SPLIT_INFLUXD=$(cpu_ticks "$INFLUXD_PID"); }
split_json() {
  python3 - "$1" "$RUN_DIR/probe.time" "$TICK" "$(($(cpu_ticks "$MOSQUITTO_PID") - SPLIT_MOSQUITTO))" \
    "$(($(cpu_ticks "$INFLUXD_PID") - SPLIT_INFLUXD))" <<'PY' 2>/dev/null || true
import json, sys
messages, timing, tick, mosquitto, influxd = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
user, system = (float(x) for x in open(timing).read().split()[-2:])
us = lambda seconds: round(seconds * 1e6 / messages, 1)
print(json.dumps({"cpu_split_us_per_msg": {"probe": us(user + system), "mosquitto": us(mosquitto / tick), "influxd": us(influxd / tick)}}))
PY
}
