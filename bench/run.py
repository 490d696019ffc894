#!/usr/bin/python3
"""Confab's benchmark suite: the hub beside a reference relay on Node's ws package, same run.

Starts `confab --headless` (history on, in a temporary data directory; heartbeats at their
defaults) and `node bench/reference/relay.mjs` on 127.0.0.1, each pinned to one core (taskset),
and drives them with build/bench/confab-load pinned to the other (Confab's protocol for the hub,
--raw for the relay). Scenarios, each bounded in time:

  room-1k    a 1,000-member room at rising rates: the highest rate with p99 <= 50 ms
  room-10k   a 10,000-member room at rising rates: the highest rate with p99 <= 150 ms
  latency    100 members, 100 messages per second: p50, p99, p99.9, max
  idle       19,900 idle connections: server RSS before and after, bytes per connection
  storm      10,000 clients connecting at once: first connect to last welcome
  console    build/bench/confab-console-bench: 10,000 members, 100 messages per second

Prints a table of Confab's figures beside the relay's, with their ratio and the issue's target,
and writes every figure as JSON. A benchmark, not a test: figures on a shared machine move
between runs, so it reports and never asserts. See bench/README.md and docs/PERFORMANCE.md.

    bench/run.py [--quick] [--json bench-results.json] [--only room-1k,latency] [--procs 1]
"""

import argparse
import datetime
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = ["room-1k", "room-10k", "latency", "idle", "storm", "console"]
# Only with --only: fixed rates in a 10,000-member room (its p99 hardly depends on the rate, so
# the ladder's first failure says little), and write_threads 1 against 2 with the hub on both
# cores ("beyond one core" in docs/PERFORMANCE.md).
EXTRA_SCENARIOS = ["rates-10k", "cores"]
RATES_10K = [10, 50, 100, 150]
CORE_STEPS = [("room_1k", 6000), ("room_10k", 100), ("room_10k", 200)]  # room size, msg/s
SOURCES = 4  # 127.0.0.1-4: ports for several 10,000-connection runs in a row (TIME_WAIT)
PER_PROCESS = 9950  # connections per load process: 20,000 open files per process here

# Sizes, durations (s) and rate ladders (messages per second; each step doubles, then one step
# between the last pass and the first failure). The quick mode is a smoke run for CI.
FULL = {
    "room_1k": 1000, "room_10k": 10000, "latency_members": 100, "idle": 19900,
    "storm": 10000, "console_members": 10000, "console_duration": 20,
    "duration": 5, "warmup": 2, "latency_duration": 10, "max_steps": 7,
    "ladders": {("confab", "room-1k"): 250, ("ws", "room-1k"): 10,
                ("confab", "room-10k"): 10, ("ws", "room-10k"): 1},
}
QUICK = {
    "room_1k": 200, "room_10k": 1000, "latency_members": 100, "idle": 2000,
    "storm": 2000, "console_members": 1000, "console_duration": 4,
    "duration": 2, "warmup": 1, "latency_duration": 3, "max_steps": 3,
    "ladders": {("confab", "room-1k"): 500, ("ws", "room-1k"): 50,
                ("confab", "room-10k"): 50, ("ws", "room-10k"): 5},
}
TARGETS = {"room-1k": (50, 2_000_000), "room-10k": (150, 1_000_000)}  # p99 bound, deliveries/s


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def pinned(core, command):
    return (["taskset", "-c", str(core)] if (os.cpu_count() or 1) > 1 else []) + command


def proc_status_kb(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """A hub or the relay: started pinned, ready once it prints its port, stopped by its pid."""

    def __init__(self, kind, args, core, extra=()):
        """extra: more arguments for the server, e.g. ("--persist", "false")."""
        self.kind = kind
        self.dir = tempfile.TemporaryDirectory(prefix="confab-bench-")
        if kind == "confab":
            command = [os.path.join(args.build, "app", "confab"), "--headless", "--listen",
                       "127.0.0.1", "--port", "0", "--data-dir", self.dir.name, *extra]
        else:
            command = ["node", os.path.join(ROOT, "bench", "reference", "relay.mjs"),
                       "--host", "127.0.0.1", "--port", "0"]
        # taskset execs the server, so this pid is the server's own.
        self.proc = subprocess.Popen(pinned(core, command), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.port = None
        found = threading.Event()

        def drain():
            for line in self.proc.stdout:
                match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
                if match and not self.port:
                    self.port = int(match.group(1))
                    found.set()
            found.set()

        threading.Thread(target=drain, daemon=True).start()
        if not found.wait(15) or not self.port:
            self.stop()
            raise SystemExit(f"{kind}: the server did not report its port")

    def rss_kb(self):
        return proc_status_kb(self.proc.pid, "VmRSS")

    def cpu_seconds(self):
        return proc_cpu_seconds(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.dir.cleanup()


def split(total, parts):
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def percentile(histogram, total, p):
    """The same rule as confab-load's LatencyHistogram: the upper edge of rank p's bucket."""
    if not total:
        return 0
    rank = max(1, math.ceil(p * total))
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return 0.001 if bucket == 0 else 1.02 ** bucket / 1000
    return 0


def merge(reports):
    histogram = {}
    for report in reports:
        for bucket, count in report.get("latency_hist", []):
            histogram[bucket] = histogram.get(bucket, 0) + int(count)
    total = sum(histogram.values())
    max_ms = max(r.get("max_ms", 0) for r in reports)
    welcome_ms = max(r.get("welcome_ms", 0) for r in reports)
    welcomed = sum(r.get("welcomed", 0) for r in reports)
    merged = {
        "processes": len(reports),
        "connections": sum(r.get("connections", 0) for r in reports),
        "welcomed": welcomed,
        "welcome_ms": welcome_ms,
        "connect_welcome_per_s": welcomed / (welcome_ms / 1000) if welcome_ms else 0,
        "tcp_connected_ms": max(r.get("tcp_connected_ms", 0) for r in reports),
        "connect_ms": max(r.get("connect_ms", 0) for r in reports),
        "sent": sum(r.get("sent", 0) for r in reports),
        "deliveries_per_s": sum(r.get("deliveries_per_s", 0) for r in reports),
        "p50_ms": min(max_ms, percentile(histogram, total, 0.50)),
        "p99_ms": min(max_ms, percentile(histogram, total, 0.99)),
        "p999_ms": min(max_ms, percentile(histogram, total, 0.999)),
        "max_ms": max_ms,
        "closed_by_hub": sum(r.get("closed_by_hub", 0) for r in reports),
        "client_cpu_percent": sum(r.get("client_cpu_percent", 0) for r in reports),
        "first_error": next((r["first_error"] for r in reports if r.get("first_error")), ""),
    }
    return merged


def run_load(args, server, connections, members, senders, rate, duration, warmup, procs=1,
             at_ready=None, extra=()):
    """Runs `procs` confab-load processes on one room and sums them. They start sending together:
    each prints READY once its clients are in, and all get a line on stdin then. `at_ready` is
    called with the server between the barrier and the go."""
    load = os.path.join(args.build, "bench", "confab-load")
    procs = max(procs, math.ceil(connections / PER_PROCESS))
    children = []
    for conns, mems, sends in zip(split(connections, procs), split(members, procs),
                                  split(senders, procs)):
        command = [load, "--port", str(server.port), "--connections", str(conns),
                   "--members", str(mems), "--senders", str(sends),
                   "--rate", str(rate * sends / senders if senders else 0),
                   "--duration", str(duration), "--warmup", str(warmup),
                   "--sources", str(SOURCES), "--wait-go", *extra]
        if server.kind == "ws":
            command.append("--raw")
        children.append(subprocess.Popen(pinned(args.load_core, command), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True))

    try:
        return drive(server, children, connections, duration, warmup, at_ready)
    finally:
        for child in children:  # only when the driver itself failed or was interrupted
            if child.poll() is None:
                child.kill()
                child.wait()


def drive(server, children, connections, duration, warmup, at_ready):
    outputs = [[] for _ in children]
    for child, output in zip(children, outputs):
        line = child.stdout.readline()  # READY, or the report of a client that gave up
        if line.strip() != "READY":
            output.append(line)
    ready = all(not output for output in outputs)
    settled_s = settle(server) if ready else 0
    extra = at_ready(server) if at_ready and ready else None

    # The server's CPU over the measured window alone: sampled when it opens and closes.
    samples = []
    timers = [threading.Timer(at, lambda: samples.append(server.cpu_seconds()))
              for at in (warmup, warmup + duration)]
    for child in children:
        if child.poll() is None:
            child.stdin.write("go\n")
            child.stdin.flush()
    for timer in timers:
        timer.start()
    for child, output in zip(children, outputs):
        try:
            output.append(child.communicate(timeout=duration + warmup + 60)[0])
        except subprocess.TimeoutExpired:
            child.kill()
            output.append(child.communicate()[0])
    for timer in timers:
        timer.cancel()
    measured_cpu = samples[1] - samples[0] if len(samples) == 2 else 0

    reports = []
    for output in outputs:
        lines = [l for l in "".join(output).splitlines() if l.startswith("{")]
        if not lines:
            raise SystemExit("confab-load gave no figures")
        reports.append(json.loads(lines[-1]))
    result = merge(reports)
    result["server_cpu_percent"] = 100 * measured_cpu / duration if duration else 0
    result["all_welcomed"] = result["welcomed"] == connections
    result["settle_s"] = settled_s
    if extra is not None:
        result.update(extra)
    return result


def settle(server, quiet_percent=25, limit_s=20):
    """Waits until the server is nearly idle: a 10,000-member join leaves presence and member
    lists to send for seconds, and the measured window is meant for the room traffic alone.
    Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        before = server.cpu_seconds()
        time.sleep(0.5)
        if 100 * (server.cpu_seconds() - before) / 0.5 < quiet_percent:
            break
    return round(time.monotonic() - started, 1)


def step(args, sizes, kind, members, rate, core, extra=()):
    """One room at one rate on a fresh server: a hub that 10,000 members have just left is still
    busy (and holding memory) for a while, which would charge one step's cost to the next."""
    server = Server(kind, args, core, extra)
    try:
        result = run_load(args, server, members, members, min(10, members), rate,
                          sizes["duration"], sizes["warmup"], args.procs)
        result["server_rss_kb"] = server.rss_kb()
    finally:
        server.stop()
    result.update(members=members, rate=rate)
    return result


def log_step(label, result):
    log(f"  {label}: {result['deliveries_per_s']:>11,.0f} deliveries/s  p50 "
        f"{result['p50_ms']:7.1f}  p99 {result['p99_ms']:7.1f} ms  server cpu "
        f"{result['server_cpu_percent']:3.0f}%  client cpu {result['client_cpu_percent']:3.0f}%")


def rates_10k(args, sizes):
    members = sizes["room_10k"]
    results = []
    for rate in RATES_10K:
        result = step(args, sizes, "confab", members, rate, args.hub_core)
        log_step(f"confab {members:,} members {rate:>4} msg/s", result)
        results.append(result)
    return results


def cores(args, sizes):
    both = f"{args.hub_core},{args.load_core}"
    results = []
    for size, rate in CORE_STEPS:
        members = sizes[size]
        for threads in (1, 2):
            result = step(args, sizes, "confab", members, rate, both,
                          ("--write-threads", str(threads)))
            result["write_threads"] = threads
            log_step(f"confab {members:>6,} members {rate:>5} msg/s, cores {both}, "
                     f"{threads} write thread{'s' if threads > 1 else ''}", result)
            results.append(result)
    return results


def ladder(args, sizes, kind, scenario):
    members = sizes["room_1k"] if scenario == "room-1k" else sizes["room_10k"]
    bound = TARGETS[scenario][0]
    rate = sizes["ladders"][(kind, scenario)]
    steps, passed, failed, bisected = [], None, None, False
    while len(steps) < sizes["max_steps"] + (1 if bisected else 0):
        result = step(args, sizes, kind, members, rate, args.hub_core)
        expected = rate * members
        result.update(rate=rate, expected_per_s=expected)
        result["ok"] = (result["all_welcomed"] and result["closed_by_hub"] == 0
                        and result["p99_ms"] <= bound
                        and result["deliveries_per_s"] >= 0.95 * expected)
        steps.append(result)
        log(f"  {kind:6} {members:>6,} members {rate:>7g} msg/s: {result['deliveries_per_s']:>11,.0f}"
            f" deliveries/s  p99 {result['p99_ms']:8.1f} ms  server cpu "
            f"{result['server_cpu_percent']:3.0f}%  client cpu "
            f"{result['client_cpu_percent']:3.0f}%  settled {result['settle_s']:.1f} s  "
            f"{'ok' if result['ok'] else 'over'}")
        if result["ok"]:
            passed = max(passed or 0, rate)
        else:
            failed = min(failed or rate, rate)
        if failed is None:
            rate *= 2
        elif passed is None and rate * sizes["duration"] >= 10:
            rate /= 2  # even the first step was too much: come down, while a step still
            # measures a few dozen messages
        elif passed is None:
            break
        elif bisected or failed / passed <= 1.3:
            break
        else:
            rate, bisected = round(math.sqrt(passed * failed), 1), True
    best = max((s for s in steps if s["ok"]), key=lambda s: s["deliveries_per_s"], default=None)
    return {"members": members, "p99_bound_ms": bound, "steps": steps,
            "best_rate": best["rate"] if best else 0,
            "best_deliveries_per_s": best["deliveries_per_s"] if best else 0,
            "best_p99_ms": best["p99_ms"] if best else None,
            "limit_found": any(not s["ok"] for s in steps)}


def latency(args, sizes, kind):
    members = sizes["latency_members"]
    server = Server(kind, args, args.hub_core)
    try:
        result = run_load(args, server, members, members, 10, 100, sizes["latency_duration"],
                          sizes["warmup"])
    finally:
        server.stop()
    log(f"  {kind:6} latency  p50 {result['p50_ms']:.2f} p99 {result['p99_ms']:.2f} "
        f"p99.9 {result['p999_ms']:.2f} max {result['max_ms']:.2f} ms")
    return result


def idle(args, sizes, kind):
    connections = sizes["idle"]
    server = Server(kind, args, args.hub_core)
    try:
        time.sleep(1)
        before = server.rss_kb()

        def measure(srv):
            time.sleep(2)  # let the last handshakes and their buffers settle
            return {"rss_after_kb": srv.rss_kb()}

        # 1,000 connects in flight per process: memory is the question here, not the storm.
        result = run_load(args, server, connections, 0, 0, 0, 0, 0, procs=2, at_ready=measure,
                          extra=("--in-flight", "1000"))
    finally:
        server.stop()
    result["rss_before_kb"] = before
    after = result.get("rss_after_kb", before)
    result["bytes_per_connection"] = ((after - before) * 1024 / connections
                                      if result["all_welcomed"] and "rss_after_kb" in result
                                      else None)
    log(f"  {kind:6} idle     {connections} connections: RSS {before} -> {after} kB, "
        f"{fmt(result['bytes_per_connection'])} bytes per connection, "
        f"{result['welcomed']} welcomed")
    return result


def storm(args, sizes, kind):
    connections = sizes["storm"]
    server = Server(kind, args, args.hub_core)
    try:
        result = run_load(args, server, connections, 0, 0, 0, 0, 0)
    finally:
        server.stop()
    log(f"  {kind:6} storm    {connections} connects: last welcome after "
        f"{result['welcome_ms']:.0f} ms ({result['connect_welcome_per_s']:,.0f}/s), "
        f"{result['welcomed']} welcomed")
    return result


def console(args, sizes):
    members = sizes["console_members"]
    with tempfile.TemporaryDirectory(prefix="confab-bench-") as scratch:
        # The console and its hub on the hub's core; the load client re-pinned to its own.
        wrapper = os.path.join(scratch, "confab-load")
        with open(wrapper, "w") as out:
            out.write(f"#!/bin/sh\nexec taskset -c {args.load_core} "
                      f"{os.path.join(args.build, 'bench', 'confab-load')} --sources {SOURCES} "
                      f"\"$@\"\n")
        os.chmod(wrapper, 0o755)
        command = [os.path.join(args.build, "bench", "confab-console-bench"), "--connections",
                   str(members), "--members", str(members), "--rate", "100", "--duration",
                   str(sizes["console_duration"]), "--load", wrapper]
        out = subprocess.run(pinned(args.hub_core, command), capture_output=True, text=True,
                             timeout=sizes["console_duration"] + 120,
                             env=dict(os.environ, HOME=scratch, XDG_CONFIG_HOME=scratch,
                                      XDG_DATA_HOME=scratch))
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if not lines:
        log(f"  console: no figures ({out.stderr.strip()[-300:]})")
        return {"error": out.stderr.strip()[-300:]}
    result = json.loads(lines[-1])
    result.get("load", {}).pop("latency_hist", None)
    log(f"  console  GUI timer late p99 {result['gui_late_p99_ms']:.1f} ms (the console's own "
        f"event loop), delivery p99 {result['load'].get('p99_ms', 0):.1f} ms (to the load's "
        f"clients)")
    return result


def machine():
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cores": os.cpu_count(), "cpu": model,
            "memory_kb": proc_status_kb_meminfo(), "loadavg": os.getloadavg()}


def proc_status_kb_meminfo():
    with open("/proc/meminfo") as meminfo:
        return int(meminfo.readline().split()[1])


def ratio(a, b):
    return a / b if a and b else None


def fmt(value, unit=""):
    if value is None:
        return "-"
    if isinstance(value, float) and value < 100:
        return f"{value:.2f}{unit}"
    return f"{value:,.0f}{unit}"


def table(results, quick):
    rows = []
    for scenario in ("room-1k", "room-10k"):
        if scenario in results:
            c, w = results[scenario]["confab"], results[scenario]["ws"]
            bound, target = TARGETS[scenario]
            r = ratio(c["best_deliveries_per_s"], w["best_deliveries_per_s"])
            # ">=": the ladder ran out of steps before the server did.
            best = [("" if x["limit_found"] else ">= ") + fmt(x["best_deliveries_per_s"])
                    for x in (c, w)]
            rows.append((f"{c['members']:,}-member room: deliveries/s, p99 <= {bound} ms",
                         best[0], best[1],
                         fmt(r, "x"), f">= {target:,} and >= 10x",
                         c["best_deliveries_per_s"] >= target and (r or 0) >= 10))
    if "latency" in results:
        c, w = results["latency"]["confab"], results["latency"]["ws"]
        for key, name in (("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9"),
                          ("max_ms", "max")):
            rows.append((f"100 members, 100 msg/s: {name} ms", fmt(c[key]), fmt(w[key]),
                         fmt(ratio(c[key], w[key]), "x"),
                         "<= 5" if key == "p99_ms" else "",
                         c[key] <= 5 if key == "p99_ms" else None))
    if "idle" in results:
        c, w = results["idle"]["confab"], results["idle"]["ws"]
        rows.append((f"{c['connections']:,} idle: bytes per connection",
                     fmt(c["bytes_per_connection"]), fmt(w["bytes_per_connection"]),
                     fmt(ratio(c["bytes_per_connection"], w["bytes_per_connection"]), "x"),
                     "<= 12,288", (c["bytes_per_connection"] or 1e18) <= 12288))
    if "storm" in results:
        c, w = results["storm"]["confab"], results["storm"]["ws"]
        rows.append((f"{c['connections']:,} connects: ms to last welcome", fmt(c["welcome_ms"]),
                     fmt(w["welcome_ms"]), fmt(ratio(c["welcome_ms"], w["welcome_ms"]), "x"),
                     "<= 1,000", c["all_welcomed"] and c["welcome_ms"] <= 1000))
        rows.append(("  connect-and-welcome rate, per s", fmt(c["connect_welcome_per_s"]),
                     fmt(w["connect_welcome_per_s"]),
                     fmt(ratio(c["connect_welcome_per_s"], w["connect_welcome_per_s"]), "x"),
                     "", None))
    if "console" in results and "gui_late_p99_ms" in results["console"]:
        c = results["console"]
        rows.append((f"console ({c['scenario']}): GUI late p99 ms", fmt(c["gui_late_p99_ms"]),
                     "", "", "< 50", c["gui_late_p99_ms"] < 50))

    if not rows:
        return  # only scenarios with figures of their own (rates-10k, cores): see their lines
    headers = ("scenario", "Confab", "ws relay", "ratio",
               "target (full run)" if quick else "target", "met")
    # The targets are for the full sizes: a quick run's smaller rooms neither meet nor miss them.
    cells = [headers] + [(a, b, c, d, e,
                          "" if f is None or quick else ("yes" if f else "NO"))
                         for a, b, c, d, e, f in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print(" | ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                         for i, cell in enumerate(row)))
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    print()
    print(">= N: the rate ladder ran out of steps while still within the bound, so N is a floor, "
          "not the server's ceiling,\n      and a ratio of two floors (the relay's ladder starts "
          "lower) says little.")
    print("settled (in the progress lines): seconds the server took to go quiet after everyone "
          "joined, before sending began.")
    if quick:
        print("Quick mode: smaller rooms and shorter steps, a smoke run. The targets are for the "
              "full sizes, so 'met' stays empty;\nrun without --quick for the figures that count.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller and shorter: under 2 min")
    parser.add_argument("--json", default="bench-results.json", help="where to write figures")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    parser.add_argument("--procs", type=int, default=1,
                        help="load processes per room run, summed (all on the load core)")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--hub-core", type=int, default=0)
    parser.add_argument("--load-core", type=int, default=1)
    args = parser.parse_args()

    sizes = QUICK if args.quick else FULL
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    for name in wanted:
        if name not in SCENARIOS + EXTRA_SCENARIOS:
            raise SystemExit(f"unknown scenario {name}; choose from "
                             f"{', '.join(SCENARIOS + EXTRA_SCENARIOS)}")
    for binary in ("app/confab", "bench/confab-load", "bench/confab-console-bench"):
        if not os.access(os.path.join(args.build, binary), os.X_OK):
            raise SystemExit(f"build {binary} first (cmake --build build --target ...)")
    if not os.path.isdir(os.path.join(ROOT, "bench", "reference", "node_modules", "ws")):
        raise SystemExit("install the relay first: (cd bench/reference && npm ci)")

    started = time.monotonic()
    report = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "quick": args.quick, "machine_before": machine(), "hub_core": args.hub_core,
              "load_core": args.load_core, "results": {}}
    results = report["results"]
    log(f"load average before: {os.getloadavg()[0]:.2f}")
    for name in wanted:
        log(f"{name}:")
        if name in ("room-1k", "room-10k"):
            results[name] = {kind: ladder(args, sizes, kind, name) for kind in ("confab", "ws")}
        elif name == "latency":
            results[name] = {kind: latency(args, sizes, kind) for kind in ("confab", "ws")}
        elif name == "idle":
            results[name] = {kind: idle(args, sizes, kind) for kind in ("confab", "ws")}
        elif name == "storm":
            results[name] = {kind: storm(args, sizes, kind) for kind in ("confab", "ws")}
        elif name == "console":
            results[name] = console(args, sizes)
        elif name == "rates-10k":
            results[name] = rates_10k(args, sizes)
        elif name == "cores":
            results[name] = cores(args, sizes)
    report["loadavg_after"] = os.getloadavg()
    report["seconds"] = round(time.monotonic() - started)

    print(f"\nConfab vs the ws relay: servers on core {args.hub_core}, load client on core "
          f"{args.load_core}, 64-byte texts, history on{' (quick run)' if args.quick else ''}; "
          f"load average {report['machine_before']['loadavg'][0]:.2f} before, "
          f"{report['loadavg_after'][0]:.2f} after, {report['seconds']} s")
    table(results, args.quick)
    with open(args.json, "w") as out:
        json.dump(report, out, indent=2)
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    sys.exit(main())
