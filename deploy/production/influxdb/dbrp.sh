#!/bin/bash
# Runs once, at InfluxDB 2.x's first start (docker-entrypoint-initdb.d): the dashboard and the InfluxQL examples read
# database "telemetry"; map it to the bucket of the same name.
set -euo pipefail
bucket_id=$(influx bucket list --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --org "${DOCKER_INFLUXDB_INIT_ORG}" --hide-headers | cut -f1)
influx v1 dbrp create --db telemetry --rp autogen --default --bucket-id "$bucket_id" --org "${DOCKER_INFLUXDB_INIT_ORG}"
