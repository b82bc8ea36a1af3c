#!/usr/bin/env python3
"""Summarises bench/ab-hits.sh output: for every jar, the median CPU microseconds per request
over the rounds (with their range), and against BASELINE the median of the per-round ratios
(each round runs every jar once, one after another or, with TOGETHER=1, at once, so a ratio
within a round is the side-by-side measure; rounds move together with the machine's weather).
Usage: bench/ab-summary.py BASELINE [FILE]   (FILE: ab-hits.sh output, default standard input)"""
import re
import statistics
import sys

baseline = sys.argv[1]
lines = open(sys.argv[2]) if len(sys.argv) > 2 else sys.stdin
rounds = {}
order = []
for line in lines:
    m = re.match(r"round (\d+) (\S+) RESULT .*cpu_us_per_req=(\d+)", line)
    if m:
        number, label, cpu = int(m.group(1)), m.group(2), int(m.group(3))
        rounds.setdefault(number, {})[label] = cpu
        if label not in order:
            order.append(label)
if not rounds:
    sys.exit("no rounds found")
print(f"{len(rounds)} rounds; CPU us per request, median (range); ratio to {baseline}: median of per-round ratios (range)")
for label in order:
    cpus = [r[label] for r in rounds.values() if label in r]
    ratios = [r[label] / r[baseline] for r in rounds.values() if label in r and r.get(baseline)]
    line = f"{label:>14} {statistics.median(cpus):6.1f} ({min(cpus)}-{max(cpus)})"
    if ratios and label != baseline:
        line += f"  x{statistics.median(ratios):.3f} ({min(ratios):.2f}-{max(ratios):.2f})"
    print(line)
