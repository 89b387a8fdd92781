#!/usr/bin/env bash
# simulate bank -> prepare -> baseline bootstrap -> evaluate (self and bootstrap) ->
# compare, and bad inputs (missing, empty, wrong format, schema mismatch) failing cleanly.
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
json() { python3 -c "import json,sys; m=json.load(open('$1')); print($2)"; }
cd "$src"
"$doppel" simulate bank --out "$tmp/bank.csv" --accounts 300 --months 6 --seed 3 --quiet > /dev/null 2>&1
"$doppel" prepare --config configs/bank.toml --input "$tmp/bank.csv" --out "$tmp/bank.h5" > "$tmp/prep.log" 2>&1
check "prepare bank exits 0" '[ $? -eq 0 ]'

"$doppel" baseline bootstrap --data "$tmp/bank.h5" --n 400 --out "$tmp/boot.h5" --block 8 --seed 2 > "$tmp/boot.log" 2>&1
check "bootstrap exits 0" '[ $? -eq 0 ]'
check "bootstrap file written" '[ -s "$tmp/boot.h5" ]'

# The real training split against itself: every similarity score is 1.
"$doppel" evaluate --real "$tmp/bank.h5" --synthetic "$tmp/bank.h5" --out "$tmp/self" --set eval.block=100 --set eval.learned=false > "$tmp/self.log" 2>&1
check "self evaluate exits 0" '[ $? -eq 0 ]' || cat "$tmp/self.log"
# (synthetic = all items including the test split, so compare against a tolerance, not 1 exactly)
check "self similarity near 1" '[ "$(json "$tmp/self/metrics.json" "m[\"similarity\"][\"score\"] > 0.9")" = True ]'
check "metrics has learned slots" '[ "$(json "$tmp/self/metrics.json" "\"skipped\" in m[\"utility\"] and \"skipped\" in m[\"discriminative\"]")" = True ]'
check "dated bank data has daily totals" '[ "$(json "$tmp/self/metrics.json" "m[\"aggregate_autocorrelation\"][\"score\"] is not None")" = True ]'
check "report written" 'grep -q "autocorrelation score" "$tmp/self/report.md"'
check "plots written" '[ -s "$tmp/self/lengths.png" ] && [ -s "$tmp/self/daily_totals.png" ] && ls "$tmp/self"/acf_*.png > /dev/null'
check "report embeds plots" 'grep -q "](lengths.png)" "$tmp/self/report.md"'

"$doppel" evaluate --real "$tmp/bank.h5" --synthetic "$tmp/boot.h5" --out "$tmp/boot" --no-plots --set eval.learned=false > "$tmp/bootev.log" 2>&1
check "bootstrap evaluate exits 0" '[ $? -eq 0 ]'
check "bootstrap keeps marginals" '[ "$(json "$tmp/boot/metrics.json" "m[\"similarity\"][\"histogram\"] > 0.8")" = True ]'
check "no plots with --no-plots" '! ls "$tmp/boot"/*.png > /dev/null 2>&1'

"$doppel" compare --real "$tmp/bank.h5" --bootstrap "$tmp/boot.h5" --lstm "$tmp/nosuch.h5" --out "$tmp/cmp" --no-plots --set eval.learned=false > "$tmp/cmp.log" 2>&1
check "compare exits 0" '[ $? -eq 0 ]'
check "compare table has bootstrap numbers" 'grep -q "^| bootstrap | 0\.[0-9]" "$tmp/cmp/table.md"'
check "missing lstm is not available" 'grep -q "^| LSTM | not available (synthetic file not found" "$tmp/cmp/table.md"'
check "absent doppelganger is not available" 'grep -q "^| DoppelGANger | not available (--doppelganger not given" "$tmp/cmp/table.md"'
check "table.csv written" '[ "$(wc -l < "$tmp/cmp/table.csv")" -eq 4 ]'

# Bad inputs.
"$doppel" evaluate --real "$tmp/bank.h5" --synthetic "$tmp/nosuch.h5" --out "$tmp/x" > "$tmp/e1.log" 2>&1
check "missing file exit 1" '[ $? -eq 1 ] && grep -q "not found: .*nosuch.h5" "$tmp/e1.log"'
: > "$tmp/empty.h5"
"$doppel" evaluate --real "$tmp/bank.h5" --synthetic "$tmp/empty.h5" --out "$tmp/x" > "$tmp/e2.log" 2>&1
check "empty file rejected" '[ $? -eq 1 ] && grep -q "empty" "$tmp/e2.log"'
# A long CSV in the export format evaluates like the HDF5 file it came from.
"$doppel" export "$tmp/boot.h5" --out "$tmp/boot_export.csv" > /dev/null 2>&1
"$doppel" evaluate --real "$tmp/bank.h5" --synthetic "$tmp/boot_export.csv" --out "$tmp/bootcsv" --no-plots --set eval.learned=false > "$tmp/bootcsv.log" 2>&1
check "export-format CSV input accepted" '[ $? -eq 0 ]' || cat "$tmp/bootcsv.log"
check "CSV and HDF5 give the same histogram overlap" '[ "$(json "$tmp/bootcsv/metrics.json" "abs(m[\"similarity\"][\"histogram\"] - json.load(open(\"$tmp/boot/metrics.json\"))[\"similarity\"][\"histogram\"]) < 0.02")" = True ]'
# A CSV in another format (the raw input) is rejected naming the file and what is missing.
"$doppel" evaluate --real "$tmp/bank.h5" --synthetic "$tmp/bank.csv" --out "$tmp/x" > "$tmp/e3.log" 2>&1
check "foreign CSV rejected clearly" '[ $? -eq 1 ] && grep -q "bank.csv: missing column" "$tmp/e3.log"'
"$doppel" prepare --config configs/traffic.toml --out "$tmp/t.h5" > /dev/null 2>&1
"$doppel" evaluate --real "$tmp/bank.h5" --synthetic "$tmp/t.h5" --out "$tmp/x" > "$tmp/e4.log" 2>&1
check "schema mismatch names both files" '[ $? -eq 1 ] && grep -q "schema mismatch between .*bank.h5 and .*t.h5" "$tmp/e4.log"'
"$doppel" baseline nosuch > /dev/null 2>&1
check "unknown baseline method exit 2" '[ $? -eq 2 ]'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
