#!/usr/bin/env python3
"""French typography in the French catalogue (issue #18): a narrow no-break space (U+202F)
before : ; ! ? and inside « », never an ordinary space, a no-break space (U+00A0) or none.

    tools/check-fr-typography.py [--fix] [po/fr.po]

Exit status 1 when a msgstr breaks the rule (each one printed with its line), 0 otherwise;
--fix rewrites the file instead. Not typography, so left alone: a mark inside a URL
("https://", "/cases?page=2"), a placeholder ("{n}", "%s", "{{name}}"), code in backticks,
a time ("14:05"), a mark followed by something other than a space, the end or a closing
bracket or quote ("?x=", "!="), and the catalogue's header."""
import re
import sys

NNBSP = "\u202f"
MARK = re.compile(r"([ \u00a0\u202f]*)([:;!?])(?=$|[\s\"'»)\]<.,…]|\\n)")
OPEN = re.compile(r"«[ \u00a0\u202f]*")
CLOSE = re.compile(r"[ \u00a0\u202f]*»")
# Spans where a mark is not punctuation of a sentence.
SKIP = re.compile(r"`[^`]*`|\{\{[^}]*\}\}|\{[a-z_]+\}|%[-0-9.]*[a-z]|[a-z]+://\S*|(?<!\S)/\S*")


def fix_text(text):
    """The text with every mark spaced as French writes it."""
    out, last = [], 0
    for m in SKIP.finditer(text):
        out.append(fix_plain(text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(fix_plain(text[last:]))
    return "".join(out)


def fix_plain(s):
    def mark(m):
        before = s[: m.start()]
        # Nothing before it (a fragment's own start, which the template spaces), or a
        # repeated mark ("?!"): as it is.
        if not before or before.endswith(("\\n", ":", ";", "!", "?")) and not m.group(1):
            return m.group(0)
        return NNBSP + m.group(2)

    s = MARK.sub(mark, s)
    s = OPEN.sub("«" + NNBSP, s)
    return CLOSE.sub(NNBSP + "»", s)


def entries(lines):
    """(index of the msgstr's first line, index after its last) of each msgstr but the
    header's (the msgstr of an empty msgid)."""
    i, msgid = 0, None
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgid "):
            j = i + 1
            while j < len(lines) and lines[j].startswith('"'):
                j += 1
            msgid = "".join(strings(lines, i, j))
            i = j
            continue
        if not re.match(r'msgstr(\[\d+\])? "', line):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].startswith('"'):
            j += 1
        if msgid:
            yield i, j
        i = j


def strings(lines, i, j):
    return [re.match(r'(?:msg\w+(?:\[\d+\])? )?"(.*)"$', l).group(1) for l in lines[i:j]]


def main(argv):
    fix = "--fix" in argv
    paths = [a for a in argv if a != "--fix"] or ["po/fr.po"]
    problems = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for i, j in entries(lines):
            text = "".join(strings(lines, i, j))
            fixed = fix_text(text)
            if fixed == text:
                continue
            problems += 1
            if fix:
                prefix = lines[i][: lines[i].index('"')]
                lines[i:j] = [prefix + '"' + fixed + '"'] + [None] * (j - i - 1)
            else:
                print(f"{path}:{i + 1}: {text!r}\n  should be {fixed!r}")
        lines = [l for l in lines if l is not None]
        if fix:
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
    if problems and not fix:
        print(f"{problems} French msgstr without a narrow no-break space (U+202F) before : ; ! ? "
              "or inside « »: tools/check-fr-typography.py --fix", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
