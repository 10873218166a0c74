#!/usr/bin/env bash
# The seed corpora of a fuzz target: its own seeds, plus the real files it parses.
n=$1
echo "tests/fuzz/corpus/$n"
case $n in
fuzz_tpl) echo templates ;;
fuzz_po) echo po ;;
esac
