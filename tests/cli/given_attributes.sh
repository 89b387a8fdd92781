#!/usr/bin/env bash
# generate --attributes reads what `doppel export` writes (the start time as a date, not only as
# epoch seconds), and given values outside the range the model was trained on are counted when
# clamped, or refused with --strict.
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
cd "$src"
"$doppel" simulate bank --out "$tmp/bank.csv" --accounts 200 --months 3 --seed 3 --quiet > /dev/null 2>&1
"$doppel" prepare --config configs/bank.toml --input "$tmp/bank.csv" --out "$tmp/bank.h5" > "$tmp/prep.log" 2>&1
check "prepare bank exits 0" '[ $? -eq 0 ]'
"$doppel" train --config configs/tiny.toml --out "$tmp/run" --set train.data="$tmp/bank.h5" --set train.max_steps=1 \
  --set train.vis_freq=0 > "$tmp/train.log" 2>&1
check "train exits 0" '[ $? -eq 0 ]'
"$doppel" export "$tmp/bank.h5" --out "$tmp/real.csv" > /dev/null 2>&1
col_of() { head -1 "$1" | tr ',' '\n' | grep -n "^$2\$" | cut -d: -f1; }
st=$(col_of "$tmp/real.csv" start_time)
check "export writes start_time as a date" '[ -n "$st" ] && sed -n 2p "$tmp/real.csv" | cut -d, -f$st | grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2} "'
# the first row of each of the first three accounts
awk -F, 'NR == 1 || $2 == 0' "$tmp/real.csv" | head -4 > "$tmp/given.csv"
"$doppel" generate --run "$tmp/run" --attributes "$tmp/given.csv" --out "$tmp/g.csv" > "$tmp/g.log" 2>&1
check "generate reads an exported CSV as given attributes" '[ $? -eq 0 ] && grep -q "generated 3 sequences" "$tmp/g.log"'
check "values inside the training range: nothing reported" '! grep -q "clamped" "$tmp/g.log"'
# epoch seconds, as earlier versions required, are still read
awk -F, -v c="$st" 'BEGIN { OFS = "," } NR > 1 { cmd = "date -u -d \"" $c "\" +%s"; cmd | getline $c; close(cmd) } { print }' \
  "$tmp/given.csv" > "$tmp/epoch.csv"
"$doppel" generate --run "$tmp/run" --attributes "$tmp/epoch.csv" --out "$tmp/ep.csv" > "$tmp/ep.log" 2>&1
check "start time as epoch seconds: read as before" '[ $? -eq 0 ] && grep -q "generated 3 sequences" "$tmp/ep.log" && ! grep -q "clamped" "$tmp/ep.log" && sed -n 2p "$tmp/epoch.csv" | cut -d, -f$st | grep -Eq "^[0-9]+$"'

# one start time far after the training data, one far before
awk -F, -v c="$st" 'BEGIN { OFS = "," } NR == 2 { $c = "2999-01-01 00:00:00" } NR == 3 { $c = "1900-01-01 00:00:00" } { print }' \
  "$tmp/given.csv" > "$tmp/outside.csv"
"$doppel" generate --run "$tmp/run" --attributes "$tmp/outside.csv" --out "$tmp/o.csv" > "$tmp/o.log" 2>&1
check "outside the range: generated, clamping counted" '[ $? -eq 0 ] && grep -q "clamped to the training range: start_time: 2 values outside" "$tmp/o.log"'
"$doppel" generate --run "$tmp/run" --attributes "$tmp/outside.csv" --out "$tmp/s.csv" --strict > "$tmp/s.log" 2>&1
check "--strict refuses, naming file, line and column" '[ $? -eq 1 ] && grep -q "outside.csv: line 2, column .start_time..*--strict" "$tmp/s.log" && [ ! -e "$tmp/s.csv" ]'

finish
