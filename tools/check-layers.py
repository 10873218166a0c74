#!/usr/bin/env python3
"""Folders include only the folders below them, in the order docs/ARCHITECTURE.md gives.

The "## Layers" section of docs/ARCHITECTURE.md holds a code block, one layer a line, the
highest first; a line starts with its folders ("web/  api/  ..."). A file of src/F/ may include
"G/..." only when G stands on a lower line than F: never a folder above, nor one beside it on
the same line. Fails on every such include, and on a folder of src/ the diagram does not name.

Usage: tools/check-layers.py
"""
import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def die(msg):
    print("check-layers: " + msg, file=sys.stderr)
    sys.exit(1)


def read_layers():
    """{folder: line number}, 0 the highest."""
    text = open(os.path.join(ROOT, "docs", "ARCHITECTURE.md"), encoding="utf-8").read()
    m = re.search(r"^## Layers\n.*?^```\n(.*?)^```", text, re.S | re.M)
    if not m:
        die("docs/ARCHITECTURE.md has no code block under '## Layers'")
    rank = {}
    for i, line in enumerate(m.group(1).splitlines()):
        head = re.match(r"((?:[a-z0-9_]+/[ \t]+)+)", line + " ")
        if not head:
            continue
        for folder in head.group(1).split():
            if folder[:-1] in rank:
                die("%s stands twice in the layers" % folder)
            rank[folder[:-1]] = i
    return rank


def main():
    rank = read_layers()
    folders = sorted(d for d in os.listdir(os.path.join(ROOT, "src")) if os.path.isdir(os.path.join(ROOT, "src", d)))
    missing = [d for d in folders if d not in rank]
    if missing:
        die("folders of src/ not in the layers of docs/ARCHITECTURE.md: " + ", ".join(missing))
    bad = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "*", "**", "*.[ch]"), recursive=True)):
        rel = os.path.relpath(path, os.path.join(ROOT, "src"))
        folder = rel.split(os.sep)[0]
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            m = re.match(r'\s*#\s*include\s+"([a-z0-9_]+)/', line)
            if not m or m.group(1) == folder:
                continue
            to = m.group(1)
            if to not in rank:
                print("src/%s:%d: includes %s/, which is not a folder of the layers" % (rel, n, to))
                bad += 1
            elif rank[to] <= rank[folder]:
                where = "beside" if rank[to] == rank[folder] else "above"
                print("src/%s:%d: %s/ includes %s/, a layer %s it" % (rel, n, folder, to, where))
                bad += 1
    print("check-layers: %d folders in %d layers, %d includes against them" % (len(rank), len(set(rank.values())), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
