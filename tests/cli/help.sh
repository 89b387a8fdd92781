#!/usr/bin/env bash
# Every command answers --help with exit 0; unknown commands and options fail with 2.
set -u
doppel="$1"
fail=0
"$doppel" --help | grep -q "commands:" || { echo "FAIL: doppel --help"; fail=1; }
for c in $("$doppel" --help | awk '/^commands:/{on=1;next} on && NF {print $1}'); do
  "$doppel" "$c" --help >/dev/null || { echo "FAIL: doppel $c --help"; fail=1; }
done
"$doppel" nosuch >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: unknown command exit"; fail=1; }
"$doppel" config --nosuch >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: unknown option exit"; fail=1; }
[ $fail -eq 0 ] && echo "1 passed, 0 failed"
exit $fail
