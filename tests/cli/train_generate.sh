#!/usr/bin/env bash
# prepare -> train (tiny) -> resume -> generate (.h5 and .csv, unconditional and conditional).
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
cd "$src"
"$doppel" prepare --config configs/traffic.toml --out "$tmp/t.h5" --set data.window=20 --set data.stride=240 > "$tmp/prep.log" 2>&1
check "prepare exits 0" '[ $? -eq 0 ]'

"$doppel" train --config configs/tiny.toml --out "$tmp/run" --set train.data="$tmp/t.h5" > "$tmp/train.log" 2>&1
check "train exits 0" '[ $? -eq 0 ]'
check "progress lines carry the rank" 'grep -q "^\[rank 0\].*step 6" "$tmp/train.log"'
# OpenBLAS kernels: the log names them; on an AVX-512 CPU doppel runs the AVX-512 ones even
# where OpenBLAS 0.3.21 does not recognise the CPU (src/runtime/blas_kernels.cpp), unless the caller chose
# (some machines set OPENBLAS_CORETYPE because old OpenBLAS builds miscompute on their CPUs).
check "small training sets are read into memory once" 'grep -q "^\[rank 0\] read the [0-9]* training items into memory" "$tmp/train.log"'
check "log names the BLAS kernels" 'grep -q "^\[rank 0\] training on .*OpenBLAS [A-Za-z0-9]* kernels" "$tmp/train.log"'
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  check "the caller's OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE is kept" 'grep -qi "OpenBLAS $OPENBLAS_CORETYPE kernels" "$tmp/train.log"'
elif grep -q "avx512bw" /proc/cpuinfo && grep -q "avx512vl" /proc/cpuinfo && grep -q "avx512dq" /proc/cpuinfo; then
  check "AVX-512 kernels on an AVX-512 CPU" 'grep -Eqi "OpenBLAS (SkylakeX|CooperLake|SapphireRapids) kernels" "$tmp/train.log"'
fi
OPENBLAS_CORETYPE=PRESCOTT "$doppel" train --config configs/tiny.toml --out "$tmp/run_prescott" --set train.data="$tmp/t.h5" \
  --set train.max_steps=1 > "$tmp/train_prescott.log" 2>&1
check "the caller's OPENBLAS_CORETYPE is kept" 'grep -q "OpenBLAS Prescott kernels" "$tmp/train_prescott.log"'
check "resolved config saved" '[ -f "$tmp/run/config.toml" ] && grep -q "sample_len = 5" "$tmp/run/config.toml"'
check "final checkpoint" '[ -f "$tmp/run/ckpt-00000006.pt" ]'
check "events file" 'ls "$tmp/run"/events.out.tfevents.* > /dev/null'
check "samples" '[ -f "$tmp/run/samples/samples-00000003.csv" ]'

"$doppel" train --config configs/tiny.toml --out "$tmp/run" --resume --set train.data="$tmp/t.h5" --set train.max_steps=8 > "$tmp/resume.log" 2>&1
check "resume exits 0" '[ $? -eq 0 ]'
check "resume starts at step 6" 'grep -q "resumed at step 6" "$tmp/resume.log"'
check "resume checkpoint" '[ -f "$tmp/run/ckpt-00000008.pt" ]'

"$doppel" generate --run "$tmp/run" --n 25 --batch 10 --seed 5 --out "$tmp/g1.h5" > "$tmp/gen.log" 2>&1
check "generate h5 exits 0" '[ $? -eq 0 ]'
"$doppel" generate --run "$tmp/run" --n 25 --batch 10 --seed 5 --out "$tmp/g2.h5" > /dev/null 2>&1
sleep 1  # a second apart: no timestamps in the files (DatasetWriter turns them off)
"$doppel" generate --run "$tmp/run" --n 25 --batch 10 --seed 5 --out "$tmp/g2b.h5" > /dev/null 2>&1
check "same seed, identical HDF5 bytes" 'cmp -s "$tmp/g1.h5" "$tmp/g2b.h5"'
"$doppel" export "$tmp/g1.h5" --out "$tmp/g1.csv" > /dev/null 2>&1; "$doppel" export "$tmp/g2.h5" --out "$tmp/g2.csv" > /dev/null 2>&1
check "same seed, same sequences" '[ -s "$tmp/g1.csv" ] && cmp -s "$tmp/g1.csv" "$tmp/g2.csv"'
"$doppel" generate --run "$tmp/run" --n 25 --batch 10 --seed 6 --out "$tmp/g3.h5" > /dev/null 2>&1
"$doppel" export "$tmp/g3.h5" --out "$tmp/g3.csv" > /dev/null 2>&1
check "another seed, other sequences" '! cmp -s "$tmp/g1.csv" "$tmp/g3.csv"'
check "inspect reads the generated set" '"$doppel" inspect "$tmp/g1.h5" > "$tmp/inspect.log" 2>&1'
"$doppel" generate --run "$tmp/run" --n 5 --out "$tmp/g.csv" > /dev/null 2>&1
"$doppel" generate --run "$tmp/run" --checkpoint "$tmp/run/ckpt-nosuch.pt" --n 5 --out "$tmp/x.h5" > "$tmp/nockpt.log" 2>&1
check "missing checkpoint: exit 1, says so" '[ $? -eq 1 ] && grep -q "ckpt-nosuch.pt: no such checkpoint file" "$tmp/nockpt.log"'
printf 'not a zip' > "$tmp/bad.pt"
"$doppel" train --config configs/tiny.toml --out "$tmp/run_bad" --set train.data="$tmp/t.h5" --init-from "$tmp/bad.pt" > "$tmp/badckpt.log" 2>&1
check "corrupt checkpoint: exit 1, names it" '[ $? -eq 1 ] && grep -q "bad.pt: not a readable doppel checkpoint" "$tmp/badckpt.log"'
check "generate csv" '[ $(wc -l < "$tmp/g.csv") -gt 5 ]'

printf 'temperature,rain_1h,snow_1h,clouds_all,weather_main,weather_description,holiday,dayofweek,month\n' > "$tmp/given.csv"
"$doppel" generate --run "$tmp/run" --attributes "$tmp/given.csv" --out "$tmp/c.h5" > "$tmp/cond_empty.log" 2>&1
check "empty given attributes fail" '[ $? -ne 0 ]'
"$doppel" generate --run "$tmp/run" --n 3 --out "$tmp/x.txt" > "$tmp/badout.log" 2>&1
check "bad output name fails" '[ $? -ne 0 ] && grep -q ".h5 or .csv" "$tmp/badout.log"'
"$doppel" train --config configs/tiny.toml --out "$tmp/run2" > "$tmp/nodata.log" 2>&1
check "train without data fails clearly" '[ $? -ne 0 ] && grep -q "train.data" "$tmp/nodata.log"'

# conditional: the exported real rows name every attribute column (extra columns are ignored)
"$doppel" export "$tmp/t.h5" --out "$tmp/real.csv" > /dev/null 2>&1
head -4 "$tmp/real.csv" > "$tmp/given3.csv"
"$doppel" generate --run "$tmp/run" --attributes "$tmp/given3.csv" --out "$tmp/c.csv" > "$tmp/cond.log" 2>&1
check "conditional generation exits 0" '[ $? -eq 0 ] && grep -q "generated 3 sequences" "$tmp/cond.log"'
col_of() { head -1 "$1" | tr ',' '\n' | grep -n "^$2\$" | cut -d: -f1; }
gc=$(col_of "$tmp/given3.csv" weather_description); cc=$(col_of "$tmp/c.csv" weather_description)
check "given categorical attribute kept" '[ -n "$cc" ] && [ "$(sed -n 2p "$tmp/given3.csv" | cut -d, -f$gc)" = "$(sed -n 2p "$tmp/c.csv" | cut -d, -f$cc)" ]'

# Conditioning on the attributes of real training sequences drawn from the prepared file.
"$doppel" generate --run "$tmp/run" --attributes-from "$tmp/t.h5" --n 30 --seed 2 --out "$tmp/from.h5" > "$tmp/from.log" 2>&1
check "attributes-from exits 0" '[ $? -eq 0 ] && grep -q "generated 30 sequences" "$tmp/from.log"'
"$doppel" generate --run "$tmp/run" --attributes-from "$tmp/t.h5" --out "$tmp/from2.h5" > "$tmp/from2.log" 2>&1
check "attributes-from without --n is a usage error" '[ $? -eq 2 ] && grep -q "needs --n" "$tmp/from2.log"'

# New data encoded with the schema of a run (its newest checkpoint): the same schema as the data it trained on.
"$doppel" prepare --config configs/traffic.toml --out "$tmp/later.h5" --set data.window=20 --set data.stride=240 \
  --schema-from "$tmp/run" > "$tmp/later.log" 2>&1
check "prepare --schema-from RUN_DIR exits 0" '[ $? -eq 0 ] && grep -q "schema of .*ckpt-00000008.pt" "$tmp/later.log"'
"$doppel" inspect "$tmp/t.h5" --json > "$tmp/t.json" 2>/dev/null; "$doppel" inspect "$tmp/later.h5" --json > "$tmp/later.json" 2>/dev/null
check "the run's schema is the training data's" '[ "$(python3 -c "import json; print(json.load(open(\"$tmp/t.json\"))[\"schema\"] == json.load(open(\"$tmp/later.json\"))[\"schema\"])")" = True ]'
"$doppel" prepare --config configs/traffic.toml --out "$tmp/x.h5" --schema-from "$tmp" > "$tmp/nockpt_dir.log" 2>&1
check "--schema-from a directory without checkpoints fails clearly" '[ $? -eq 1 ] && grep -q "a directory without checkpoints" "$tmp/nockpt_dir.log"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
