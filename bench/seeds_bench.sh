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
# Columns: similarity and autocorrelation (higher is better); utility ratio TSTR / TRTR MAE at
# the next step and 24 steps ahead, discriminative score (lower is better); cell-boundary
# max/min of the step change by cell position (the real one is printed below the table); and
# whether any synthetic value leaves the real range.
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

one_seed() {  # train, generate, evaluate one seed; logs under $OUT/seed-S/
  local s=$1 d=$OUT/seed-$1 t0
  mkdir -p "$d"
  rm -rf "$d/run"
  t0=$(date +%s)
  "$DOPPEL" train --config "$CONFIG" --set train.data="$OUT/real.h5" --set train.seed="$s" "${SETS[@]}" \
    --out "$d/run" > "$d/train.log" 2>&1
  echo $(( $(date +%s) - t0 )) > "$d/train_seconds"
  "$DOPPEL" generate --run "$d/run" --n "$N" --out "$d/synthetic.h5" --batch 250 --seed 1 > "$d/generate.log" 2>&1
  "$DOPPEL" evaluate --real "$OUT/real.h5" --synthetic "$d/synthetic.h5" --config "$CONFIG" \
    --out "$d/eval" --no-plots --set eval.learned_threads=1 > "$d/evaluate.log" 2>&1
  echo "[seeds] seed $s done: $(( $(date +%s) - t0 )) s" >&2
}
pids=()
for s in $SEEDS; do
  one_seed "$s" & pids+=($!)
  while (( $(jobs -rp | wc -l) >= PARALLEL )); do wait -n; done
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
(( rc == 0 )) || { echo "a seed failed; see $OUT/seed-*/" >&2; exit 1; }

python3 - "$OUT" $SEEDS <<'PY'
import json, os, statistics, sys
out, seeds = sys.argv[1], sys.argv[2:]
cols = [("similarity", lambda m: m["similarity"]["score"]),
        ("autocorrelation", lambda m: m["autocorrelation"]["score"]),
        ("utility h=1", lambda m: m["utility"]["by_horizon"][0]["ratio"]),
        ("utility h=24", lambda m: m["utility"]["by_horizon"][1]["ratio"]),
        ("discriminative", lambda m: m["discriminative"]["score"]),
        ("cell max/min", lambda m: m["cell_boundary"]["max_over_min_synthetic"]),
        ("outside real range", lambda m: m["range"]["outside"]),
        ("train s", None)]
rows, last = [], None
for s in seeds:
    d = os.path.join(out, f"seed-{s}")
    m = json.load(open(os.path.join(d, "eval", "metrics.json")))
    last = m
    row = [f(m) if f else int(open(os.path.join(d, "train_seconds")).read()) for _, f in cols]
    rows.append((s, row))
print("| seed | " + " | ".join(c for c, _ in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
fmt = lambda v: ("yes" if v else "no") if isinstance(v, bool) else (f"{v:.3f}" if isinstance(v, float) else str(v))
for s, row in rows:
    print(f"| {s} | " + " | ".join(fmt(v) for v in row) + " |")
means = [statistics.mean(float(r[k]) for _, r in rows) if not isinstance(rows[0][1][k], bool)
         else any(r[k] for _, r in rows) for k in range(len(cols))]
print("| mean | " + " | ".join(fmt(v) for v in means) + " |")
u = last["utility"]["by_horizon"]
print(f"\nReal data: cell-boundary max/min {last['cell_boundary']['max_over_min_real']:.3f}; " +
      "; ".join(f"h={h['horizon']}: TRTR MAE {h['error_real']:.1f}, persistence {h['error_persistence']:.1f}, "
                f"seasonal-naive {h['error_seasonal_naive']:.1f}" for h in u))
PY
