#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the servers the tests start (mosquitto, influxd, victoria-metrics)
# and the browser the dashboard tests drive (Debian chromium),
# then runs every test project. The integration tests start and stop their own servers on free loopback ports.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BN_ROOT"

bn_require_dotnet
bn_require_packages mosquitto mosquitto-clients influxdb influxdb-client victoria-metrics chromium docker-compose redis-server

# Many devices, many sockets: raise the open-file limit as far as this shell may.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# The integration tests host the worker in their own process: give it the 64 MiB gen0 budget it runs with wherever it
# is deployed (run.sh, bench/run.sh, the systemd unit, the image), so what they observe is the worker as deployed...
export DOTNET_GCgen0size=0x4000000
# ...and without the instrumented JIT tier, as its runtimeconfig says (Ingest.Worker.csproj: TieredPGO false).
export DOTNET_TieredPGO=0

results=$(mktemp -d /tmp/bn-test.XXXXXX)
set +e
dotnet test Ingest.slnx -c Release --nologo --logger "console;verbosity=normal" --logger "trx" \
  --results-directory "$results" "$@" 2>&1 | tee "$results/output.log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test projects, summed from their TRX files.
python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find("{*}ResultSummary/{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
