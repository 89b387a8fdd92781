#!/usr/bin/env bash
# The generator's learning-rate schedules compared on the traffic config, judged on the later
# weeks held out: each schedule trained at each seed, every checkpoint generated from and
# evaluated, so each metric is also seen against the training step. Prints one Markdown table
# (a row per schedule and seed, a mean row per schedule) and writes OUT/convergence.png (each
# metric against the step, the mean over seeds, a line per schedule).
#
#   bash bench/lr_schedule_bench.sh [BUILD_DIR=build] [OUT_DIR=out/lr_schedules]
# Environment: SCHEDULES ("constant triangular triangular2 exp_range"), SEEDS ("0 1 2"),
#   N_SYN (5000), CONFIG (configs/traffic.toml), STEPS (the config's train.max_steps),
#   CHECKPOINT_EVERY (STEPS / 5), PARALLEL (2: runs side by side, one core each),
#   EXTRA_SET="key=v ..." (extra --set for every run).
# Rates: the constant schedule runs at train.g_base_lr = G_MAX_LR; the cyclical ones between
# G_BASE_LR and G_MAX_LR (defaults 0.0001 and 0.001: DoppelGANger's constant rate at the top of a
# ten-fold range) with a half cycle of STEPS / 4, so that training ends at the bottom of a cycle;
# exp_range's amplitude shrinks to 1 % over the run (gamma = 0.01^(1 / STEPS)).
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-out/lr_schedules}
DOPPEL=$BUILD/doppel
HERE=$(dirname "$0")
SCHEDULES=${SCHEDULES:-constant triangular triangular2 exp_range}
SEEDS=${SEEDS:-0 1 2}
N=${N_SYN:-5000}
CONFIG=${CONFIG:-configs/traffic.toml}
PARALLEL=${PARALLEL:-2}
G_BASE_LR=${G_BASE_LR:-0.0001}
G_MAX_LR=${G_MAX_LR:-0.001}
STEPS=${STEPS:-$("$DOPPEL" config --config "$CONFIG" |
  python3 -c "import sys, tomllib; print(tomllib.loads(sys.stdin.read())['train']['max_steps'])")}
CHECKPOINT_EVERY=${CHECKPOINT_EVERY:-$(( STEPS / 5 ))}
mkdir -p "$OUT"
"$DOPPEL" prepare --config "$CONFIG" --out "$OUT/real.h5" > "$OUT/prepare.log" 2>&1

run() {  # schedule seed
  local sets=(--set train.max_steps="$STEPS" --set train.checkpoint_every="$CHECKPOINT_EVERY"
              --set train.keep_checkpoints=100 --set train.g_lr_schedule="$1")
  if [[ $1 == constant ]]; then
    sets+=(--set train.g_base_lr="$G_MAX_LR")
  else
    sets+=(--set train.g_base_lr="$G_BASE_LR" --set train.g_max_lr="$G_MAX_LR"
           --set train.g_step_size=$(( STEPS / 4 ))
           --set train.g_gamma="$(python3 -c "print(0.01 ** (1 / $STEPS))")")
  fi
  for kv in ${EXTRA_SET:-}; do sets+=(--set "$kv"); done
  EVERY_CHECKPOINT=1 bash "$HERE/train_generate_evaluate.sh" "$DOPPEL" "$CONFIG" "$OUT/real.h5" \
    "$OUT/$1/seed-$2" "$2" "$N" "${sets[@]}"
}
pids=()
for seed in $SEEDS; do
  for schedule in $SCHEDULES; do
    run "$schedule" "$seed" & pids+=($!)
    while (( $(jobs -rp | wc -l) >= PARALLEL )); do wait -n; done
  done
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
(( rc == 0 )) || { echo "a run failed; see $OUT/*/seed-*/" >&2; exit 1; }

groups=()
for schedule in $SCHEDULES; do groups+=("$schedule=$OUT/$schedule"); done
python3 "$HERE/seed_table.py" "$SEEDS" "${groups[@]}"
python3 "$HERE/convergence_plot.py" "$OUT/convergence.png" "$SEEDS" "${groups[@]}"
echo "wrote $OUT/convergence.png"
