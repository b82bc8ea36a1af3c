#!/usr/bin/env python3
"""Summarises async-profiler's folded wall-clock stacks taken with `threads` (first frame: the
thread): per thread group (digits folded), its share of all samples and the leaf frames it sat in
most. Usage: bench/wall-summary.py FILE.collapsed [TOP]"""
import collections
import re
import sys

top = int(sys.argv[2]) if len(sys.argv) > 2 else 5
groups = collections.Counter()
leaves = collections.defaultdict(collections.Counter)
with open(sys.argv[1]) as folded:
    for line in folded:
        stack, _, count = line.rstrip('\n').rpartition(' ')
        if not stack:
            continue
        frames = stack.split(';')
        group = re.sub(r'\s*tid=\d+', '', frames[0].strip('[]'))
        group = re.sub(r'\d+', '#', group).strip()
        groups[group] += int(count)
        leaves[group][frames[-1]] += int(count)
total = sum(groups.values()) or 1
print(f'# {total} wall-clock samples; per thread group, its share and where it sat most')
for group, count in groups.most_common():
    print(f'\n{100 * count / total:5.1f}%  {group}')
    for leaf, n in leaves[group].most_common(top):
        print(f'        {100 * n / count:5.1f}%  {leaf}')
