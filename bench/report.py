#!/usr/bin/env python3
"""Turns bench/run.sh's results.jsonl into the markdown report: ceilings, peer, pipeline, every step, ratios, goals.

Each line of the input is {"run": N, "series": "...", "result": {...}} as written by run.sh from Ingest.LoadProbe's JSON.
Ratios are taken within one repetition (the same run number), then summarised as min / median / max over repetitions.
"""
import argparse
import json
import statistics
import sys
from collections import defaultdict


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    print(f"warning: skipped a malformed result line: {line[:120]}", file=sys.stderr)
    return rows


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return f"{v:,.{digits}f}"
    return str(v)


def spread(values, digits=0):
    """'median (min – max)' over repetitions, or n/a."""
    vs = [v for v in values if v is not None]
    if not vs:
        return "n/a", "n/a", "n/a", None
    return fmt(min(vs), digits), fmt(statistics.median(vs), digits), fmt(max(vs), digits), statistics.median(vs)


def by_run(rows, series):
    out = defaultdict(list)
    for r in rows:
        if r["series"] == series and isinstance(r.get("result"), dict):
            out[r["run"]].append(r["result"])
    return out


def best_step(steps):
    """The passing step with the highest sustained rate, or None."""
    passing = [s for s in steps if s.get("pass") and s.get("sustained_readings_per_s")]
    return max(passing, key=lambda s: s["sustained_readings_per_s"]) if passing else None


def series_summary(rows, series):
    """Per run: sustained max, the figures at that step, peak RSS over all steps, the half step and alert latency."""
    steps = by_run(rows, series)
    halves = by_run(rows, series + "-half")
    summary = {}
    for run, ss in steps.items():
        best = best_step(ss)
        half = halves.get(run, [None])[0]
        # Alert latency where the pipeline keeps up: the half-maximum step, else the best passing step.
        alert_sources = [half] if half else ([best] if best else [])
        alert = next((s.get("alert_latency_p99_ms") for s in alert_sources if s and s.get("alert_latency_p99_ms") is not None), None)
        alerts_seen = sum((s.get("alerts_raised") or 0) + (s.get("alerts_cleared") or 0) for s in alert_sources if s)
        rss = [s.get("peak_rss_mib") for s in ss + ([half] if half else []) if s.get("peak_rss_mib") is not None]
        probed = any("alerts_raised" in s for s in ss)
        summary[run] = {
            "sustained": best["sustained_readings_per_s"] if best else 0,
            "msgs_per_s": (best["sustained_readings_per_s"] / best["readings_per_msg"]) if best else 0,
            "p50": best and best.get("latency_p50_ms"),
            "p95": best and best.get("latency_p95_ms"),
            "p99": best and best.get("latency_p99_ms"),
            "cpu100k": best and best.get("cpu_s_per_100k_readings"),
            "cpu1kmsg": best and best.get("cpu_s_per_1k_msgs"),
            "us_per_reading": best and best.get("cpu_us_per_reading"),
            "us_per_msg": best and best.get("cpu_s_per_1k_msgs") and best["cpu_s_per_1k_msgs"] * 1000,
            "rss": max(rss) if rss else None,
            "devices": ss[0].get("devices"),
            "half_rate": half and half.get("target_readings_per_s"),
            "half_p99": half and half.get("latency_p99_ms"),
            "half_pass": half and half.get("pass"),
            "alert_p99": alert,
            "alerts_seen": alerts_seen,
            "alert_probe": probed,
            "split": best and best.get("cpu_split_us_per_msg"),
        }
    return summary


def histogram_p99(buckets):
    """The upper bound of the bucket holding the 99th percentile of a cumulative Prometheus histogram, or None."""
    bounds = sorted(((float("inf") if le == "+Inf" else float(le)), n) for le, n in buckets)
    total = bounds[-1][1] if bounds else 0
    if total <= 0:
        return None
    rank = total * 0.99
    return next((le for le, n in bounds if n >= rank), None)


def alert_summary(rows):
    """Per run of the alert series: events seen, receipt → received p50/p99/max, the worker's histogram p99 bound."""
    steps = by_run(rows, "alerts")
    hist = by_run(rows, "alerts-worker-histogram")
    out = {}
    for run, ss in steps.items():
        s = ss[0]
        h = hist.get(run, [{}])[0].get("buckets")
        out[run] = {
            "events": (s.get("alerts_raised") or 0) + (s.get("alerts_cleared") or 0),
            "devices": s.get("devices"),
            "rate": s.get("target_readings_per_s"),
            "stored_ok": s.get("pass"),
            "receipt_p50": s.get("alert_receipt_latency_p50_ms"),
            "receipt_p99": s.get("alert_receipt_latency_p99_ms"),
            "receipt_max": s.get("alert_receipt_latency_max_ms"),
            "device_p99": s.get("alert_latency_p99_ms"),
            "worker_p99_bound": histogram_p99(h) if h else None,
            "worker_events": (max(n for _, n in h) if h else None),
        }
    return out


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--date", default="")
    ap.add_argument("--machine", default="")
    ap.add_argument("--versions", default="")
    ap.add_argument("--settings", default="")
    ap.add_argument("--quick", default="0")
    a = ap.parse_args()
    rows = load(a.results)
    out = []
    w = out.append

    w(f"# Benchmark report — {a.date}")
    w("")
    if a.quick == "1":
        w("**Quick smoke run (BENCH_QUICK=1): short steps and small counts; the harness works, the figures are not reference figures.**")
        w("")
    w(f"- Machine: {a.machine}")
    w(f"- Versions: {a.versions}")
    w(f"- Settings: {a.settings}")
    w("- Figures are min / median / max over the repetitions; ratios are taken within one repetition first.")
    w("")

    influx = {r: v[0].get("points_per_s") for r, v in by_run(rows, "influx-ceiling").items()}
    broker = {r: v[0].get("msgs_per_s") for r, v in by_run(rows, "broker-ceiling").items()}
    broker_lost = [v[0].get("lost") for v in by_run(rows, "broker-ceiling").values()]
    peer = series_summary(rows, "peer")
    single = series_summary(rows, "pipeline-single")
    gateway = series_summary(rows, "pipeline-gateway")

    w("## Raw ceilings")
    w("")
    w(table(["figure", "min", "median", "max"], [
        ["InfluxDB `/write`, pre-built line protocol, batches of 5,000 (points/s)", *spread(influx.values())[:3]],
        ["Broker QoS 1, publisher → subscriber, same JSON documents (msgs/s)", *spread(broker.values())[:3]],
        ["Broker messages lost (of those published)", *spread(broker_lost)[:3]],
    ]))
    w("")

    def section(title, s, unit):
        w(f"## {title}")
        w("")
        if not s:
            w("Not measured in this run.")
            w("")
            return
        figures = [
            [f"sustained zero-loss {unit}", *spread([x["sustained"] for x in s.values()])[:3]],
            ["end-to-end latency p50 at that rate (ms)", *spread([x["p50"] for x in s.values()])[:3]],
            ["end-to-end latency p95 at that rate (ms)", *spread([x["p95"] for x in s.values()])[:3]],
            ["end-to-end latency p99 at that rate (ms)", *spread([x["p99"] for x in s.values()])[:3]],
            ["CPU s per 100k readings at that rate", *spread([x["cpu100k"] for x in s.values()], 2)[:3]],
            ["CPU s per 1,000 messages at that rate", *spread([x["cpu1kmsg"] for x in s.values()], 3)[:3]],
            ["peak RSS over the steps (MiB)", *spread([x["rss"] for x in s.values()], 1)[:3]],
        ]
        if any(x["half_rate"] for x in s.values()):
            figures.append(["end-to-end p99 at half the sustained maximum (ms)", *spread([x["half_p99"] for x in s.values()])[:3]])
        if any(x["alert_probe"] for x in s.values()):
            figures.append(["alert latency p99, device timestamp → alert received (ms)", *spread([x["alert_p99"] for x in s.values()])[:3]])
        w(table(["figure", "min", "median", "max"], figures))
        w("")

    section("Peer: Node-RED (mqtt in → function → join → influxdb batch)", peer, "msgs/s")
    section("Pipeline: one reading per message", single, "readings/s")
    section("Pipeline: gateway batches", gateway, "readings/s")

    alerts = alert_summary(rows)
    w("## Alert latency at a 1 % crossing rate (issue 4)")
    w("")
    if alerts:
        a0 = next(iter(alerts.values()))
        w(f"A fresh worker, {fmt(a0['devices'])} devices publishing {fmt(a0['rate'])} readings/s, 1 % of them crossing the PM2.5 "
          "limit (raise, then clear) every 2 s, measured after a warm-up step.")
        w("")
        w(table(["figure", "min", "median", "max"], [
            ["alert events received (raised + cleared)", *spread([x["events"] for x in alerts.values()])[:3]],
            ["receipt → event received p50 (ms)", *spread([x["receipt_p50"] for x in alerts.values()], 1)[:3]],
            ["receipt → event received p99 (ms)", *spread([x["receipt_p99"] for x in alerts.values()], 1)[:3]],
            ["receipt → event received max (ms)", *spread([x["receipt_max"] for x in alerts.values()], 1)[:3]],
            ["**worker's own receipt → PUBACK p99 (ms, upper bound of its histogram bucket)**", *spread([x["worker_p99_bound"] for x in alerts.values()])[:3]],
            ["device timestamp → event received p99 (ms)", *spread([x["device_p99"] for x in alerts.values()])[:3]],
        ]))
        w("")
        w("The worker's own figure is its `ingest_alerts_latency` histogram over the measured step: receipt of the triggering "
          "message → the broker's PUBACK of the alert (after the broker has taken it), the issue's receipt → publication. "
          "Receipt → event received is the arrival at a `mosquitto_sub` on bn/alerts/# − the event's `receivedAt` (same "
          "machine clock): that plus one loopback broker hop and the subscriber's own scheduling on a saturated machine.")
    else:
        w("Not measured in this run (BENCH_ALERT_SERIES=0).")
    w("")

    w("## Ratios and fleet size")
    w("")
    ratio_rows = []

    def ratio(name, num, den, digits=2, scale=1.0):
        # A repetition with no passing step counts as 0; one without a denominator (not measured) is left out.
        vals = [num[r] / den[r] * scale for r in num if r in den and num[r] is not None and den[r]]
        ratio_rows.append([name, *spread(vals, digits)[:3]])
        return spread(vals, digits)[3]

    r_broker = ratio("one reading per message ÷ broker QoS 1 ceiling", {r: x["sustained"] for r, x in single.items()}, broker)
    r_peer = ratio("one reading per message ÷ peer (Node-RED)", {r: x["sustained"] for r, x in single.items()}, {r: x["sustained"] for r, x in peer.items()})
    r_cpu = ratio("worker CPU per reading ÷ peer CPU per message", {r: x["us_per_reading"] for r, x in single.items()}, {r: x["us_per_msg"] for r, x in peer.items()})
    r_influx = ratio("gateway batches ÷ InfluxDB raw ceiling", {r: x["sustained"] for r, x in gateway.items()}, influx)
    # Goal 1a's limit on shared cores: the CPU the broker ceiling spends per message (probe + mosquitto) against what a
    # pipeline message costs at the single series' sustained step without the worker (probe + mosquitto + influxd), and
    # with it. The ratio of the rates cannot pass the ratio of these costs while both keep the machine busy.
    ceiling_cost, pipeline_cost, worker_cost = {}, {}, {}
    for r, v in by_run(rows, "broker-ceiling").items():
        split = v[0].get("cpu_split_us_per_msg")
        if split:
            ceiling_cost[r] = split["probe"] + split["mosquitto"]
    for r, x in single.items():
        if x["split"] and x["us_per_msg"]:
            pipeline_cost[r] = x["split"]["probe"] + x["split"]["mosquitto"] + x["split"]["influxd"]
            worker_cost[r] = pipeline_cost[r] + x["us_per_msg"]
    r_bound_free = ratio("goal 1a's bound: broker ceiling's CPU per message ÷ a pipeline message's without the worker's (a worker that cost nothing)",
                         ceiling_cost, pipeline_cost)
    ratio("goal 1a's bound with the worker's CPU as measured", ceiling_cost, worker_cost)
    ratio_rows.append(["fleet at 1 reading/device/min, one reading per message (devices)", *spread([x["sustained"] * 60 for x in single.values()])[:3]])
    ratio_rows.append(["fleet at 1 reading/device/min, gateway batches (devices)", *spread([x["sustained"] * 60 for x in gateway.values()])[:3]])
    w(table(["ratio", "min", "median", "max"], ratio_rows))
    w("")

    splits = [(r, "broker ceiling", v[0]["cpu_split_us_per_msg"], None) for r, v in sorted(by_run(rows, "broker-ceiling").items())
              if v[0].get("cpu_split_us_per_msg")]
    splits += [(r, f"single, {fmt(x['sustained'])} readings/s", x["split"], x["us_per_msg"]) for r, x in sorted(single.items()) if x["split"]]
    if splits:
        w("## Where the CPU goes per message (goal 1a)")
        w("")
        w("CPU of each process per message (µs): the probe's (publishers, and the subscriber in the ceiling or the store polling "
          "in a step) from /usr/bin/time, mosquitto's and influxd's from /proc, the worker's from the probe; single series at "
          "its sustained step.")
        w("")
        # The ceiling writes nothing to InfluxDB: its path is the probe and mosquitto alone.
        w(table(["run", "measurement", "probe", "mosquitto", "worker", "influxd", "all"], [
            [r, name, fmt(sp["probe"], 1), fmt(sp["mosquitto"], 1), "–" if worker is None else fmt(worker, 1),
             "–" if worker is None else fmt(sp["influxd"], 1),
             fmt(sp["probe"] + sp["mosquitto"] + (0 if worker is None else sp["influxd"] + worker), 1)]
            for r, name, sp, worker in splits]))
        w("")

    w("## Goals of issue 7 (judged on the median)")
    w("")

    def unit(v, suffix, digits=0):
        return "n/a" if v is None else fmt(v, digits) + suffix

    def pct(v):
        return "n/a" if v is None else f"{v * 100:,.0f} %"

    def verdict(ok):
        return "n/a" if ok is None else ("met" if ok else "**missed**")

    med = lambda s, k: spread([x[k] for x in s.values()])[3] if s else None  # noqa: E731
    cpu_us = med(single, "us_per_reading")
    half_p99 = med(single, "half_p99")
    # The measure is receipt → publication: the worker's own histogram (receipt → the broker's PUBACK, an upper
    # bound of publication) when the alert series ran; else the outside figure of the pipeline steps (an upper bound).
    worker_alert_p99 = spread([x["worker_p99_bound"] for x in alerts.values()])[3] if alerts else None
    alert_p99 = worker_alert_p99 if worker_alert_p99 is not None else med(single, "alert_p99")
    alert_measure = ("receipt → PUBACK inside the worker, alert series (bucket bound); outside, receipt → event received: "
                     + fmt(spread([x["receipt_p99"] for x in alerts.values()])[3], 1) + " ms") if worker_alert_p99 is not None \
        else "device timestamp → event received, pipeline steps"
    rss = med(single, "rss")
    devices = next(iter(single.values()))["devices"] if single else None
    goals = [
        ["1a", "one reading per message ≥ 80 % of the broker's QoS 1 ceiling",
         pct(r_broker) + ("" if r_bound_free is None else f" (at most about {pct(r_bound_free)} on these cores for a worker that cost no CPU)"),
         verdict(None if r_broker is None else r_broker >= 0.8)],
        ["1b", "one reading per message ≥ the peer's msgs/s", unit(r_peer, " ×", 2), verdict(None if r_peer is None else r_peer >= 1.0)],
        ["2a", "worker CPU per reading ≤ ¼ of the peer's CPU per message", f"{fmt(cpu_us, 2)} µs/reading, ratio {fmt(r_cpu, 2)}", verdict(None if r_cpu is None else r_cpu <= 0.25)],
        ["2b", "hot path ≤ 10 µs and ≤ 200 B allocated per reading", "micro-benchmarks (see BENCHMARKS.md)", "see there"],
        ["3", "gateway batches ≥ 50 % of InfluxDB's raw ceiling (readings/s)", pct(r_influx), verdict(None if r_influx is None else r_influx >= 0.5)],
        ["4a", "end-to-end p99 ≤ 1.5 s at half the sustained maximum", unit(half_p99, " ms"), verdict(None if half_p99 is None else half_p99 <= 1500)],
        ["4b", "alert latency p99 ≤ 100 ms",
         unit(alert_p99, f" ms ({alert_measure})", 1) if alert_p99 is not None else
         ("n/a: no alert for the bench devices arrived on bn/alerts/# at the half-maximum or best passing step (no alert engine in this worker, no rule fired, or no step passed)" if single and any(x["alert_probe"] for x in single.values()) else "n/a: not probed (BENCH_ALERT_DEVICES=0)"),
         verdict(None if alert_p99 is None else alert_p99 <= 100)],
        ["5", "worker peak RSS ≤ 300 MB at 10,000 devices", unit(rss, f" MiB at {fmt(devices)} devices", 1),
         verdict(None if rss is None else (rss * 1.048576 <= 300) if (devices or 0) >= 10000 else None)],
    ]
    w(table(["#", "goal", "measured (median)", "verdict"], goals))
    if not alerts and single and any(x["alert_probe"] for x in single.values()):
        w("")
        w("Alert latency is measured from outside the worker as arrival on bn/alerts/# − RaisedAt/ClearedAt (the triggering reading's device timestamp), "
          "an upper bound of receipt → publication that includes two loopback broker hops.")
    w("")

    w("## Every step")
    w("")
    step_rows = []
    for r in rows:
        s = r.get("result") or {}
        if s.get("kind") != "load":
            continue
        step_rows.append([
            r["series"], r["run"], fmt(s.get("target_readings_per_s")), fmt(s.get("achieved_readings_per_s")), fmt(s.get("stored_readings_per_s")), fmt(s.get("stored")),
            fmt(s.get("lost")), fmt(s.get("drain_lag_s"), 2), fmt(s.get("latency_p50_ms")), fmt(s.get("latency_p95_ms")), fmt(s.get("latency_p99_ms")),
            fmt(s.get("cpu_s_per_100k_readings"), 2), fmt(s.get("peak_rss_mib"), 1),
            fmt(s.get("alert_latency_p99_ms")) if "alerts_raised" in s else "–", "PASS" if s.get("pass") else "FAIL",
        ])
    w(table(["series", "run", "target/s", "published/s", "stored/s", "stored", "lost", "lag s", "p50 ms", "p95 ms", "p99 ms",
             "CPU s/100k", "peak RSS MiB", "alert p99 ms", "step"], step_rows))
    w("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
