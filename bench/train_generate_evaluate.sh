#!/usr/bin/env bash
# One training run judged on later data: trains CONFIG on the prepared REAL file with a seed,
# then generates N sequences from the newest checkpoint and evaluates them against REAL's
# held-out later weeks. With EVERY_CHECKPOINT=1 every checkpoint is generated from and
# evaluated too (DIR/eval-step-NNNNNNNN/), for metrics against the training step.
# Used by seeds_bench.sh and lr_schedule_bench.sh.
#
#   bash bench/train_generate_evaluate.sh DOPPEL CONFIG REAL.h5 DIR SEED N [--set key=value ...]
# Writes DIR/run (the run directory), DIR/train.log, DIR/train_seconds, DIR/synthetic.h5,
# DIR/eval/metrics.json.
set -euo pipefail
DOPPEL=$1 CONFIG=$2 REAL=$3 DIR=$4 SEED=$5 N=$6
shift 6
mkdir -p "$DIR"
rm -rf "$DIR/run" "$DIR"/eval-step-*
t0=$(date +%s)
"$DOPPEL" train --config "$CONFIG" --set train.data="$REAL" --set train.seed="$SEED" "$@" \
  --out "$DIR/run" > "$DIR/train.log" 2>&1
echo $(( $(date +%s) - t0 )) > "$DIR/train_seconds"

judge() {  # generate from a checkpoint (or the run's newest) and evaluate; $1 = eval dir, $2... = source
  local eval_dir=$1 syn=$1.h5
  shift
  "$DOPPEL" generate "$@" --n "$N" --out "$syn" --batch 250 --seed 1 > "$eval_dir.generate.log" 2>&1
  "$DOPPEL" evaluate --real "$REAL" --synthetic "$syn" --config "$CONFIG" --out "$eval_dir" --no-plots \
    --set eval.learned_threads=1 > "$eval_dir.evaluate.log" 2>&1
}
judge "$DIR/eval" --run "$DIR/run"
mv "$DIR/eval.h5" "$DIR/synthetic.h5"
if [[ ${EVERY_CHECKPOINT:-0} == 1 ]]; then
  newest=$(ls "$DIR"/run/ckpt-*.pt | tail -n 1)
  for ckpt in "$DIR"/run/ckpt-*.pt; do
    step=$(basename "$ckpt" .pt); step=${step#ckpt-}
    if [[ $ckpt == "$newest" ]]; then cp -r "$DIR/eval" "$DIR/eval-step-$step"; continue; fi  # judged above
    judge "$DIR/eval-step-$step" --checkpoint "$ckpt"
    rm -f "$DIR/eval-step-$step.h5"
  done
fi
echo "[bench] $DIR done: $(( $(date +%s) - t0 )) s" >&2
