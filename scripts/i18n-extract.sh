#!/usr/bin/env bash
# Extract every translatable string into a POT file (default build/ponte.pot):
# C sources marked with N_("..."), tr(lang, "..."), trn(lang, "...", "...", n) or
# web_flash_n(req, "...", "...", n), and
# templates' {{t "..."}}. `make i18n-check` compares each catalogue against it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/ponte.pot}
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

xgettext --from-code=UTF-8 --language=C --keyword=N_ --keyword=tr:2 --keyword=trn:2,3 --keyword=web_flash_n:2,3 \
	--no-wrap --sort-by-file --omit-header -o "$tmp/c.pot" $(find src -name '*.c' | sort)

# Templates: {{t "text"}} (the text never contains a double quote), in UTF-8 ("k − 1").
{
	printf 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
	for f in templates/*.html; do
		grep -o '{{t "[^"]*"}}' "$f" | sed -e 's/^{{t "//' -e 's/"}}$//' | while IFS= read -r s; do
			printf '#: %s\nmsgid "%s"\nmsgstr ""\n\n' "$f" "$s"
		done
	done
} > "$tmp/tpl.po"
msguniq --no-wrap "$tmp/tpl.po" -o "$tmp/tpl.pot" 2>/dev/null || cp "$tmp/tpl.po" "$tmp/tpl.pot"
msgcat --no-wrap --use-first "$tmp/c.pot" "$tmp/tpl.pot" -o "$out"
