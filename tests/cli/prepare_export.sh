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

# Held out by time: every test window starts at or after data.test_from.
"$doppel" inspect "$tmp/t.h5" --json > "$tmp/t.json" 2>/dev/null
check "the traffic config holds out the weeks from July 2017 on" 'grep -q "windows_dropped_at_split" "$tmp/inspect.txt" && [ "$(python3 -c "import json; print(json.load(open(\"$tmp/t.json\"))[\"test\"] > 400)")" = True ]'
"$doppel" prepare --config configs/bank.toml --input "$tmp/bad.csv" --set data.test_from='"2017-07-01 00:00:00"' --out "$tmp/seq.h5" > "$tmp/seqfrom.log" 2>&1
check "test_from on sequences is refused" '[ $? -eq 1 ] && grep -q "data.test_from splits windows by time" "$tmp/seqfrom.log"'

# New data encoded with an existing schema: the first 2,000 hours of the series, a later
# "month" in miniature. Same schema; an unseen category refused; out-of-range numbers counted.
zcat data/metro_traffic/Metro_Interstate_Traffic_Volume.csv.gz | head -2001 > "$tmp/later.csv"
"$doppel" prepare --config configs/traffic.toml --input "$tmp/later.csv" --schema-from "$tmp/t.h5" --out "$tmp/later.h5" > "$tmp/later.log" 2>&1
check "prepare --schema-from exits 0" '[ $? -eq 0 ]' || cat "$tmp/later.log"
"$doppel" inspect "$tmp/later.h5" --json > "$tmp/later.json" 2>/dev/null
check "calendar attributes know their whole domain (t.h5's windows start at few hours)" '[ "$(python3 -c "import json; s=json.load(open(\"$tmp/t.json\"))[\"schema\"]; print([c[\"categories\"] for c in s if c[\"name\"] in (\"day_of_week\", \"month\", \"hour\")])")" = "[7, 12, 24]" ]'
check "the schema is the training file's" '[ "$(python3 -c "import json; a=json.load(open(\"$tmp/t.json\")); b=json.load(open(\"$tmp/later.json\")); print(a[\"schema\"] == b[\"schema\"])")" = True ]'
# (window attributes are summaries: weather_main is the window's most frequent value)
sed 's/,Clouds,/,Volcanic ash,/g' "$tmp/later.csv" > "$tmp/ash.csv"
"$doppel" prepare --config configs/traffic.toml --input "$tmp/ash.csv" --schema-from "$tmp/t.h5" --out "$tmp/ash.h5" > "$tmp/ash.log" 2>&1
check "an unknown category is refused naming column and value" '[ $? -eq 1 ] && grep -q "ash.csv: the window starting .*column .weather_main.: category .Volcanic ash. is not in the schema of .*t.h5" "$tmp/ash.log"'
check "nothing written for the refused file" '[ ! -e "$tmp/ash.h5" ]'
sed '3s/,[0-9]*\(\r\?\)$/,99999\1/' "$tmp/later.csv" > "$tmp/big.csv"  # (CRLF input)
"$doppel" prepare --config configs/traffic.toml --input "$tmp/big.csv" --schema-from "$tmp/t.h5" --out "$tmp/big.h5" > "$tmp/big.log" 2>&1
check "an out-of-range volume is clamped and warned about" '[ $? -eq 0 ] && grep -q "1 values of .traffic_volume. lie outside the range" "$tmp/big.log"'
"$doppel" inspect "$tmp/big.h5" --json > "$tmp/big.json" 2>/dev/null
check "the report counts it" '[ "$(python3 -c "import json; print(json.load(open(\"$tmp/big.json\"))[\"prepare_report\"][\"values_outside_schema_range\"])")" = "{'"'"'traffic_volume'"'"': 1}" ]'
"$doppel" prepare --config configs/traffic.toml --input "$tmp/later.csv" --schema-from "$tmp/t.h5" --set data.window=24 --out "$tmp/w24.h5" > "$tmp/w24.log" 2>&1
check "another window length is refused" '[ $? -eq 1 ] && grep -q "differ from the schema of" "$tmp/w24.log"'
"$doppel" prepare --config configs/traffic.toml --input "$tmp/later.csv" --schema-from "$tmp/t.h5" --set 'columns[9].encoding="binned"' --out "$tmp/enc.h5" > "$tmp/enc.log" 2>&1
check "another encoding is refused naming the column" '[ $? -eq 1 ] && grep -q "traffic_volume.: encoding binned in the config, zero_one in the schema" "$tmp/enc.log"'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
