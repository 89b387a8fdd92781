#!/usr/bin/env bash
# An output that is the same file as an input of the same command is refused, and the input
# survives: compared as files, so "./x", symlinks and hard links are caught as well.
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
cd "$src"
zcat data/metro_traffic/Metro_Interstate_Traffic_Volume.csv.gz | head -3000 > "$tmp/x.csv"
cp "$tmp/x.csv" "$tmp/x.orig"
prep=(--config configs/traffic.toml --set data.window=20 --set data.stride=240)

"$doppel" prepare "${prep[@]}" --input "$tmp/x.csv" --out "$tmp/x.csv" > "$tmp/p1.log" 2>&1
rc=$?
check "prepare --out = --input: refused (rc=$rc)" '[ $rc -eq 2 ] && grep -q "same file as the input CSV" "$tmp/p1.log"'
check "prepare --out = --input: the input is intact" 'cmp -s "$tmp/x.csv" "$tmp/x.orig"'
ln -s x.csv "$tmp/link.csv"
(cd "$tmp" && "$doppel" prepare --config "$src/configs/traffic.toml" --set data.window=20 --set data.stride=240 --input x.csv --out ./link.csv) > "$tmp/p2.log" 2>&1
rc=$?
check "prepare through ./ and a symlink: refused (rc=$rc)" '[ $rc -eq 2 ] && cmp -s "$tmp/x.csv" "$tmp/x.orig" && [ -L "$tmp/link.csv" ]'

"$doppel" prepare "${prep[@]}" --input "$tmp/x.csv" --out "$tmp/t.h5" > "$tmp/prep.log" 2>&1
check "prepare to another file works" '[ $? -eq 0 ] && [ -s "$tmp/t.h5" ]'
cp "$tmp/t.h5" "$tmp/t.orig"
"$doppel" export "$tmp/t.h5" --out "$tmp/t.h5" > "$tmp/e.log" 2>&1
rc=$?
check "export FILE --out FILE: refused, input intact (rc=$rc)" '[ $rc -eq 2 ] && grep -q "same file as FILE.h5" "$tmp/e.log" && cmp -s "$tmp/t.h5" "$tmp/t.orig"'
ln "$tmp/t.h5" "$tmp/hard.h5"
"$doppel" export "$tmp/t.h5" --out "$tmp/hard.h5" > "$tmp/e2.log" 2>&1
check "export onto a hard link of the input: refused" '[ $? -eq 2 ] && cmp -s "$tmp/t.h5" "$tmp/t.orig"'

"$doppel" train --config configs/tiny.toml --out "$tmp/run" --set train.data="$tmp/t.h5" --set train.max_steps=2 \
  > "$tmp/train.log" 2>&1
check "train exits 0" '[ $? -eq 0 ]'
"$doppel" generate --run "$tmp/run" --attributes-from "$tmp/t.h5" --n 5 --out "$tmp/t.h5" > "$tmp/g.log" 2>&1
rc=$?
check "generate --attributes-from R --out R: refused, input intact (rc=$rc)" '[ $rc -eq 2 ] && grep -q "same file as --attributes-from" "$tmp/g.log" && cmp -s "$tmp/t.h5" "$tmp/t.orig"'
ckpt=$(ls "$tmp"/run/ckpt-*.pt | tail -1)
cp "$ckpt" "$tmp/ckpt.orig"
"$doppel" generate --checkpoint "$ckpt" --n 5 --out "$ckpt" > "$tmp/g2.log" 2>&1
check "generate over its checkpoint: refused" '[ $? -eq 2 ] && cmp -s "$ckpt" "$tmp/ckpt.orig"'
"$doppel" baseline bootstrap --data "$tmp/t.h5" --n 5 --out "$tmp/hard.h5" > "$tmp/b.log" 2>&1
check "baseline over its data: refused" '[ $? -eq 2 ] && cmp -s "$tmp/t.h5" "$tmp/t.orig"'

[ "$fail" -eq 0 ] || for f in "$tmp"/*.log; do echo "--- $f"; tail -3 "$f"; done
finish
