#!/usr/bin/env bash
# prepare -> inspect -> export on the shipped traffic data, and a bad input failing cleanly.
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
cd "$src"
"$doppel" prepare --config configs/traffic.toml --out "$tmp/t.h5" --set data.stride=24 > "$tmp/prep.log" 2>&1
check "prepare exits 0" '[ $? -eq 0 ]'
check "prepare reports windows" 'grep -q "prepared [0-9]* windows" "$tmp/prep.log"'
check "resolved config saved" '[ -s "$tmp/t.h5.config.toml" ] && grep -q "stride = 24" "$tmp/t.h5.config.toml"'
"$doppel" inspect "$tmp/t.h5" > "$tmp/inspect.txt" 2>&1
check "inspect exits 0" '[ $? -eq 0 ]'
check "inspect shows the gap policy" 'grep -q "duplicate_rows_dropped" "$tmp/inspect.txt"'
"$doppel" export "$tmp/t.h5" --out "$tmp/t.csv" > /dev/null
check "export exits 0" '[ $? -eq 0 ]'
check "export header" 'head -1 "$tmp/t.csv" | grep -q "^window_id,step,date_time,.*,traffic_volume$"'
printf 'holiday,temp\nNone,abc\n' > "$tmp/bad.csv"
"$doppel" prepare --config configs/traffic.toml --input "$tmp/bad.csv" --out "$tmp/bad.h5" > "$tmp/bad.log" 2>&1
rc=$?
check "bad input exits 1" '[ $rc -eq 1 ]'
check "bad input names the file and column" 'grep -q "bad.csv: missing column" "$tmp/bad.log"'
check "no partial output" '[ -z "$(ls "$tmp" | grep bad.h5)" ]'
# Finite extremes: two values of ±1.7e308 overflow max − min; prepare refuses the column instead
# of writing NaN features (zero_one) or null bin edges (uniform bins) that nothing can read later.
zcat data/metro_traffic/Metro_Interstate_Traffic_Volume.csv.gz | head -3000 |
  awk -F, 'BEGIN { OFS = "," } NR == 2 { $NF = "1.7e308" } NR == 3 { $NF = "-1.7e308" } { print }' > "$tmp/huge.csv"
"$doppel" prepare --config configs/traffic.toml --input "$tmp/huge.csv" --out "$tmp/huge.h5" --set data.window=20 \
  --set data.stride=240 > "$tmp/huge.log" 2>&1
check "zero_one column spanning ±1.7e308: refused at prepare" '[ $? -eq 1 ] && grep -q "traffic_volume.*too wide to encode" "$tmp/huge.log" && [ ! -e "$tmp/huge.h5" ]'
# (snow_1h is summed over each window: the two values go to different windows)
zcat data/metro_traffic/Metro_Interstate_Traffic_Volume.csv.gz | head -3000 |
  awk -F, 'BEGIN { OFS = "," } NR == 2 { $4 = "1.7e308" } NR == 1000 { $4 = "-1.7e308" } { print }' > "$tmp/huge_snow.csv"
"$doppel" prepare --config configs/traffic.toml --input "$tmp/huge_snow.csv" --out "$tmp/huge_snow.h5" --set data.window=20 \
  --set data.stride=20 > "$tmp/huge_snow.log" 2>&1
check "uniform-binned column spanning ±1.7e308: refused at prepare" '[ $? -eq 1 ] && grep -q "snow_1h.*too wide to encode" "$tmp/huge_snow.log" && [ ! -e "$tmp/huge_snow.h5" ]'
"$doppel" prepare --config configs/traffic.toml --set data.nokey=1 > "$tmp/badkey.log" 2>&1
check "unknown key exits 1 naming it" '[ $? -eq 1 ] && grep -q "data.nokey" "$tmp/badkey.log"'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
