#!/usr/bin/python3
"""What keeping history costs: the same room load against a hub with confab.db (persist on, the
default) and one with everything in memory (persist off), side by side.

Starts `confab --headless` twice on 127.0.0.1 in temporary data directories, pinned to one core
(taskset), and drives each with build/bench/confab-load pinned to the other, at each rate. Prints
a table with the ratio of the two and writes the figures as JSON. A benchmark, not a test:
figures on a shared machine move between runs, so it reports and never asserts.

    bench/persistence.py [--members 1000] [--rates 100,300,1000] [--duration 10] [--json out.json]
"""

import argparse
import json
import os
import subprocess
import sys

from run import ROOT, Server, pinned  # the suite's server runner: one way to start a hub


def run_load(load, port, members, rate, duration, core):
    out = subprocess.run(
        pinned(core, [load, "--port", str(port), "--connections", str(members),
                      "--members", str(members), "--senders", str(min(10, members)),
                      "--rate", str(rate), "--duration", str(duration), "--warmup", "2"]),
        capture_output=True, text=True, timeout=duration + 120)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise SystemExit(f"confab-load gave no figures: {out.stderr}")
    return json.loads(lines[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rates", default="100,300,1000")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--json", default="persistence-bench.json")
    args = parser.parse_args()

    load = os.path.join(args.build, "bench", "confab-load")
    rates = [int(r) for r in args.rates.split(",")]
    results = {}
    for persist in (True, False):
        hub = Server("confab", args, core=0,
                     extra=("--persist", "true" if persist else "false"))
        try:
            results[persist] = [run_load(load, hub.port, args.members, rate, args.duration, 1)
                                for rate in rates]
        finally:
            hub.stop()

    print(f"{args.members}-member room, hub on core 0, load client on core 1, "
          f"{args.duration} s per rate")
    print(f"{'msg/s':>6} | {'deliveries/s on':>15} {'off':>9} {'ratio':>6} | "
          f"{'p99 ms on':>9} {'off':>7} | {'p50 ms on':>9} {'off':>7} | {'client cpu':>10}")
    rows = []
    for i, rate in enumerate(rates):
        on, off = results[True][i], results[False][i]
        ratio = on["deliveries_per_s"] / off["deliveries_per_s"] if off["deliveries_per_s"] else 0
        print(f"{rate:>6} | {on['deliveries_per_s']:>15.0f} {off['deliveries_per_s']:>9.0f} "
              f"{ratio:>6.3f} | {on['p99_ms']:>9.2f} {off['p99_ms']:>7.2f} | "
              f"{on['p50_ms']:>9.2f} {off['p50_ms']:>7.2f} | "
              f"{on['client_cpu_percent']:>4.0f}%/{off['client_cpu_percent']:.0f}%")
        rows.append({"rate": rate, "persist_on": on, "persist_off": off,
                     "throughput_ratio": ratio})
    with open(args.json, "w") as out:
        json.dump({"members": args.members, "duration_s": args.duration, "rows": rows}, out,
                  indent=2)
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    sys.exit(main())
