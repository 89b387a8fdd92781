#!/usr/bin/env bash
# Joint vs per-critic clipping (and, optionally, per-layer bounds) at the same privacy budget
# (docs/results_privacy.md): trains the DP traffic model once per clipping mode with
# the same steps, training seed and noise seed, generates, evaluates, and prints one row per
# mode (epsilon spent, sigma, similarity, autocorrelation). A program, not a test: the figures
# vary with the seed, read them next to the run-to-run spread in docs/results_privacy.md.
#
#   bench/dp_compare_clipping.sh [BUILD_DIR=build] [OUT_DIR=out/dp_clipping]
# Environment:
#   CONFIG   training config (configs/traffic_dp.toml; its data must be prepared)
#   EPS      target epsilon (1)            STEPS  train.max_steps (0 = the config's)
#   MODES    any of: joint per_critic groups   ("joint per_critic")
#   GROUP_CLIP_NORMS  bounds of mode `groups`, a TOML list with one bound per Linear layer
#            (sequence critic first, then the attribute critic)
#   N_SYN    synthetic sequences per mode (1000)   SEED  privacy.seed of every mode (1)
#   EXTRA_SET  "key=v key=v": extra --set for every training
#   LEARNED  false skips the learned metrics (utility; they refuse a collapsed synthetic set)
# Run from the repository root. Each training uses 1 torch thread (OMP_NUM_THREADS=1 keeps
# the evaluation's learned metrics on one thread too).
set -euo pipefail

BUILD=${1:-build}
OUT=${2:-out/dp_clipping}
DOPPEL=$BUILD/doppel
CONFIG=${CONFIG:-configs/traffic_dp.toml}
EPS=${EPS:-1}
STEPS=${STEPS:-0}
MODES=${MODES:-joint per_critic}
N=${N_SYN:-1000}
SEED=${SEED:-1}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$OUT"

COMMON=(--set privacy.enabled=true --set "privacy.target_epsilon=$EPS" --set "privacy.seed=$SEED"
        --set train.vis_freq=0 --threads 1)
[[ $STEPS -gt 0 ]] && COMMON+=(--set "train.max_steps=$STEPS")
for kv in ${EXTRA_SET:-}; do COMMON+=(--set "$kv"); done

rows=()
for mode in $MODES; do
  case $mode in
    joint) M=(--set privacy.joint_clipping=true) ;;
    per_critic) M=(--set privacy.joint_clipping=false) ;;
    groups)
      [[ -n ${GROUP_CLIP_NORMS:-} ]] || { echo "mode groups needs GROUP_CLIP_NORMS" >&2; exit 2; }
      M=(--set privacy.joint_clipping=true --set "privacy.group_clip_norms=$GROUP_CLIP_NORMS") ;;
    *) echo "unknown mode '$mode' (joint, per_critic, groups)" >&2; exit 2 ;;
  esac
  D=$OUT/$mode
  rm -rf "$D"; mkdir -p "$D"
  s=$(date +%s)
  "$DOPPEL" train --config "$CONFIG" --out "$D/run" "${COMMON[@]}" "${M[@]}" > "$D/train.log" 2>&1 ||
    { echo "train ($mode) failed; see $D/train.log" >&2; tail -3 "$D/train.log" >&2; exit 1; }
  t_train=$(( $(date +%s) - s ))
  "$DOPPEL" generate --run "$D/run" --n "$N" --out "$D/synthetic.h5" --seed 1 > "$D/generate.log" 2>&1
  data=$(sed -n "/^\[train\]/,/^\[/ s/^data *= *['\"]\(.*\)['\"].*/\1/p" "$D/run/config.toml")
  "$DOPPEL" evaluate --real "$data" --synthetic "$D/synthetic.h5" --out "$D/eval" --config "$CONFIG" \
    --set "eval.learned=${LEARNED:-true}" --no-plots > "$D/evaluate.log" 2>&1
  row=$(jq -r --arg m "$mode" --argjson t "$t_train" --slurpfile p "$D/run/privacy.json" \
    '[$m, $p[0].epsilon, $p[0].noise_multiplier, $p[0].accounted_steps, .similarity.score,
      .autocorrelation.score, (.utility.ratio // null), $t] | map(tostring) | join(" | ")' "$D/eval/metrics.json")
  echo "[dp_clipping] $mode done: train ${t_train} s (load $(cut -d' ' -f1 /proc/loadavg))"
  rows+=("| $row |")
done

echo
echo "| clipping | epsilon spent | sigma | accounted steps | similarity | autocorrelation | utility ratio | train s |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
