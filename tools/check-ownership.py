#!/usr/bin/env python3
"""Each table has one owner module; only the owner's files name it in SQL.

Reads the table -> module map from docs/ARCHITECTURE.md (section "Tables and their owners"),
the tables the migrations create, and the SQL string literals of src/**/*.c and src/**/*.h
(adjacent literals joined, as the compiler joins them). Fails when:
  - a migration creates a table the map does not name, or the map names one no migration makes;
  - a statement in a file of folder src/M/ names a table whose owner is not M (FROM, JOIN,
    INTO, UPDATE, and the comma lists of FROM), unless the crossing is in ALLOWED below.

Usage: tools/check-ownership.py [--list]   (--list prints every crossing, allowed or not)
"""
import glob
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# Crossings that stay for now, each with its reason: (file or folder/ under src, table).
# Keep this list short; a new entry needs a reason a reviewer accepts.
ALLOWED = {
    # The timeline is one statement over the records of a case (docs/timeline.md): a read
    # model over every module's case records, the order kept by SQLite rather than merged here.
    ("timeline/", "*"): "the timeline is read from the records themselves",
    # An organisation's code, name and country joined into a module's lists (one query, not
    # one look-up per row). Reads only: organisations are written by identity alone.
    ("*", "organisations"): "lists join the organisation's code and name (reads only)",
}


def die(msg):
    print("check-ownership: " + msg, file=sys.stderr)
    sys.exit(1)


def read_map():
    """{table: module} from the section of docs/ARCHITECTURE.md."""
    path = os.path.join(ROOT, "docs", "ARCHITECTURE.md")
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^## Tables and their owners\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        die("docs/ARCHITECTURE.md has no section '## Tables and their owners'")
    owners = {}
    for line in m.group(1).splitlines():
        row = re.match(r"\|\s*`([a-z_0-9]+)/`\s*\|(.*)\|\s*$", line)
        if not row:
            continue
        for t in re.findall(r"`([a-z_0-9]+)`", row.group(2)):
            if t in owners:
                die("table %s has two owners: %s and %s" % (t, owners[t], row.group(1)))
            owners[t] = row.group(1)
    return owners


def migration_tables():
    tables = set()
    for f in sorted(glob.glob(os.path.join(ROOT, "migrations", "*.sql"))):
        text = open(f, encoding="utf-8").read()
        text = re.sub(r"--[^\n]*", "", text)
        made = r"(?i)create\s+(?:virtual\s+)?(?:table|view)\s+(?:if\s+not\s+exists\s+)?([a-z_0-9]+)"
        for m in re.finditer(made, text):
            tables.add(m.group(1).lower())
        for m in re.finditer(r"(?i)alter\s+table\s+([a-z_0-9]+)\s+rename\s+to\s+([a-z_0-9]+)", text):
            tables.discard(m.group(1).lower())
            tables.add(m.group(2).lower())
    return tables


def literals(src):
    """[(line, text)]: each run of adjacent string literals, comments skipped."""
    out, cur, i, n, line = [], None, 0, len(src), 1
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            line += src.count("\n", i, j)
            i = j + 2
            continue
        if c == "'":
            j = i + 1
            while src[j] != "'":
                j += 2 if src[j] == "\\" else 1
            i, cur = j + 1, None
            continue
        if c == '"':
            j, parts = i + 1, []
            while src[j] != '"':
                step = 2 if src[j] == "\\" else 1
                parts.append(src[j : j + step])
                j += step
            if cur is None:
                cur = [line, ""]
                out.append(cur)
            cur[1] += "".join(parts)
            i = j + 1
            continue
        if c == "\n":
            line += 1
        elif not c.isspace():
            cur = None
        i += 1
    return out


NAMED = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+([a-z_][a-z0-9_]*)")
FROM_LIST = re.compile(
    r"\bFROM\s+([a-z_0-9]+(?:\s+(?:AS\s+)?[a-z_0-9]+)?(?:\s*,\s*[a-z_0-9]+(?:\s+(?:AS\s+)?[a-z_0-9]+)?)+)"
)


def named_tables(sql, tables):
    names = {m.group(1) for m in NAMED.finditer(sql)}
    for m in FROM_LIST.finditer(sql):
        names.update(part.split()[0] for part in m.group(1).split(","))
    return names & tables


def allowed(rel, module, table):
    for (who, what), _ in ALLOWED.items():
        if what not in ("*", table):
            continue
        if who == "*" or who == rel or who == module + "/":
            return True
    return False


def main():
    listing = "--list" in sys.argv[1:]
    owners = read_map()
    tables = migration_tables()
    unmapped = sorted(tables - set(owners))
    if unmapped:
        die("tables without an owner in docs/ARCHITECTURE.md: " + ", ".join(unmapped))
    stale = sorted(set(owners) - tables)
    if stale:
        die("docs/ARCHITECTURE.md names tables no migration creates: " + ", ".join(stale))
    bad = allowed_n = 0
    pairs = set()
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "**", "*.[ch]"), recursive=True)):
        rel = os.path.relpath(path, os.path.join(ROOT, "src"))
        module = rel.split(os.sep)[0] if os.sep in rel else ""
        for line, sql in literals(open(path, encoding="utf-8").read()):
            for table in sorted(named_tables(sql, tables)):
                if owners[table] == module:
                    continue
                ok = allowed(rel, module, table)
                if (rel, table) not in pairs:
                    pairs.add((rel, table))
                    allowed_n += ok
                if not ok:
                    bad += 1
                if listing or not ok:
                    print(
                        "%s:%d: names %s, a table of %s/%s"
                        % ("src/" + rel, line, table, owners[table], " (allowed)" if ok else "")
                    )
    print(
        "check-ownership: %d tables, %d crossings (file, table): %d allowed, %d not"
        % (len(owners), len(pairs), allowed_n, len(pairs) - allowed_n)
    )
    if bad:
        print(
            "check-ownership: call the owner module's function instead (docs/ARCHITECTURE.md, "
            "'Tables and their owners')",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
