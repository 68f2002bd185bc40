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
