#!/usr/bin/env bash
# Fidelity at several training seeds, judged on later data: prepares the traffic data once
# (configs/traffic.toml holds out the weeks from July 2017 on), then for each seed trains the
# traffic config, generates N_SYN weeks and evaluates them against the held-out later weeks.
# Prints one Markdown table with a row per seed and the mean: every seed, not the best.
#
#   bash bench/seeds_bench.sh [BUILD_DIR=build] [OUT_DIR=out/seeds]
# Environment: SEEDS ("0 1 2"), N_SYN (5000), CONFIG (configs/traffic.toml),
#   EXTRA_SET="key=v key=v" (extra --set for training, e.g. train.max_steps=2000 for a smoke run),
#   PARALLEL (2: seeds trained side by side, one core each).
# Columns: see bench/seed_table.py.
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-out/seeds}
DOPPEL=$BUILD/doppel
SEEDS=${SEEDS:-0 1 2}
N=${N_SYN:-5000}
CONFIG=${CONFIG:-configs/traffic.toml}
PARALLEL=${PARALLEL:-2}
SETS=()
for kv in ${EXTRA_SET:-}; do SETS+=(--set "$kv"); done
mkdir -p "$OUT"
"$DOPPEL" prepare --config "$CONFIG" --out "$OUT/real.h5" > "$OUT/prepare.log" 2>&1

one_seed() {  # logs under $OUT/seed-S/
  bash "$(dirname "$0")/train_generate_evaluate.sh" "$DOPPEL" "$CONFIG" "$OUT/real.h5" "$OUT/seed-$1" "$1" "$N" "${SETS[@]}"
}
pids=()
for s in $SEEDS; do
  one_seed "$s" & pids+=($!)
  while (( $(jobs -rp | wc -l) >= PARALLEL )); do wait -n; done
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
(( rc == 0 )) || { echo "a seed failed; see $OUT/seed-*/" >&2; exit 1; }

python3 "$(dirname "$0")/seed_table.py" "$SEEDS" "$OUT"
