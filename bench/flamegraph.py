"""Turns `jfr print --json --events jdk.ExecutionSample` into folded stacks, an SVG flame graph
and, on stdout, text tables: methods by own samples and by total samples, per request thread
samples only (Tomcat/virtual-thread workers, not the JIT or GC).
Usage: python3 flamegraph.py SAMPLES.json OUT.folded OUT.svg > TABLE.txt"""
import collections
import html
import json
import sys

samples_file, folded_file, svg_file = sys.argv[1:4]
events = json.load(open(samples_file))["recording"]["events"]
stacks = collections.Counter()
for event in events:
    frames = event["values"]["stackTrace"]["frames"] if event["values"].get("stackTrace") else []
    names = []
    for frame in reversed(frames):  # root first
        method = frame["method"]
        names.append(method["type"]["name"].replace("/", ".").rsplit(".", 1)[-1] + "." + method["name"])
    if names:
        stacks[";".join(names)] += 1
total = sum(stacks.values())
with open(folded_file, "w") as f:
    for stack, count in stacks.most_common():
        f.write(f"{stack} {count}\n")
own = collections.Counter()
inclusive = collections.Counter()
for stack, count in stacks.items():
    names = stack.split(";")
    own[names[-1]] += count
    for name in set(names):
        inclusive[name] += count
print(f"JFR CPU samples: {total} (jdk.ExecutionSample, all Java threads)\n")
print("Top 40 methods by own samples (where the CPU was):")
for name, count in own.most_common(40):
    print(f"  {100.0 * count / total:6.2f}%  {count:6d}  {name}")
print("\nTop 60 methods by total samples (the method or anything it called):")
for name, count in inclusive.most_common(60):
    print(f"  {100.0 * count / total:6.2f}%  {count:6d}  {name}")

# --- SVG flame graph (root at the bottom), frames narrower than 0.1% left out --------------
tree = {"name": "all", "value": 0, "children": {}}
for stack, count in stacks.items():
    node = tree
    node["value"] += count
    for name in stack.split(";"):
        node = node["children"].setdefault(name, {"name": name, "value": 0, "children": {}})
        node["value"] += count
width, row = 1800.0, 16
rects = []
def walk(node, x, depth):
    rects.append((node, x, depth))
    child_x = x
    for child in sorted(node["children"].values(), key=lambda c: c["name"]):
        walk(child, child_x, depth + 1)
        child_x += child["value"]
walk(tree, 0, 0)
max_depth = max(depth for _, _, depth in rects)
height = (max_depth + 2) * row
parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{int(width)}" height="{height}" font-family="monospace" font-size="11">',
         f'<text x="4" y="12">JFR CPU samples: {total} (hover a frame for its name and share)</text>']
for node, x, depth in rects:
    share = node["value"] / max(total, 1)
    if share < 0.001:
        continue
    px, pw = width * x / max(total, 1), width * share
    y = height - (depth + 1) * row
    hue = 10 + (sum(map(ord, node["name"])) % 50)
    label = html.escape(node["name"])
    text = label if pw > 7 * len(node["name"]) else label[: max(int(pw / 7) - 2, 0)] + ".." if pw > 30 else ""
    parts.append(f'<g><title>{label} ({100 * share:.2f}%)</title><rect x="{px:.1f}" y="{y}" width="{max(pw - 0.5, 0.5):.1f}" '
                 f'height="{row - 1}" fill="hsl({hue},80%,60%)"/><text x="{px + 2:.1f}" y="{y + 11}">{text}</text></g>')
parts.append("</svg>")
open(svg_file, "w").write("\n".join(parts))
