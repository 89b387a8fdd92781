#!/usr/bin/env bash
# Fidelity benchmark (a program, not a test): trains DoppelGANger with the
# documented default budget of configs/traffic.toml and configs/bank.toml, generates,
# builds the baselines and evaluates. Targets:
#   traffic weekly windows (test split: the weeks from July 2017 on, data.test_from of the
#     config): autocorrelation >= 0.90, similarity >= 0.80, and DoppelGANger beats the LSTM
#     baseline on autocorrelation, similarity and utility (bootstrap reported; every learned
#     metric and the cell-boundary diagnostic are printed in the table and the JSON line);
#   simulated bank: autocorrelation of total daily outflow (metrics.json
#     aggregate_autocorrelation) >= 0.71, similarity >= 0.63.
#
#   bench/fidelity_bench.sh [BUILD_DIR=build] [OUT_DIR=out/fidelity]
# Environment: ONLY=traffic|bank (one half), EXTRA_SET="key=v key=v" (extra --set for both
# trainings, e.g. a shorter train.max_steps for a smoke run), N_SYN (synthetic sequences, 5000).
# Prints a per-stage timing line, the compare table, and a final JSON line with the figures;
# exits 0 only when every target is met (including a total under 30 minutes). Without ONLY the
# stages run in two lanes, one per core (see "lanes" below). Run from the repository root.
set -euo pipefail

BUILD=${1:-build}
OUT=${2:-out/fidelity}
DOPPEL=$BUILD/doppel
N=${N_SYN:-5000}
ONLY=${ONLY:-}
mkdir -p "$OUT"
SETS=()
for kv in ${EXTRA_SET:-}; do SETS+=(--set "$kv"); done

T0=$(date +%s)
stage() {  # stage NAME command...: runs the command, logs to $OUT/NAME.log, prints its time
  local name=$1; shift
  local s=$(date +%s)
  if ! "$@" > "$OUT/$name.log" 2>&1; then
    echo "stage $name failed; see $OUT/$name.log" >&2
    tail -5 "$OUT/$name.log" >&2
    exit 1
  fi
  echo "[fidelity] $name: $(( $(date +%s) - s )) s (load $(cut -d' ' -f1 /proc/loadavg))"
}

# The traffic half in four parts, so the two cores can share them (see the schedule below).
T=$OUT/traffic
traffic_prepare() {
  mkdir -p "$T"
  stage traffic_prepare "$DOPPEL" prepare --config configs/traffic.toml --out "$T/real.h5"
}
traffic_train() {
  rm -rf "$T/run"
  stage traffic_train "$DOPPEL" train --config configs/traffic.toml --set train.data="$T/real.h5" "${SETS[@]}" --out "$T/run"
  stage traffic_generate "$DOPPEL" generate --run "$T/run" --n "$N" --out "$T/doppelganger.h5" --batch 250 --seed 1
}
traffic_baselines() {
  stage traffic_bootstrap "$DOPPEL" baseline bootstrap --data "$T/real.h5" --n "$N" --out "$T/bootstrap.h5" --seed 1
  stage traffic_lstm "$DOPPEL" baseline lstm --data "$T/real.h5" --n "$N" --out "$T/lstm.h5" --seed 1 --threads 1
}
traffic_compare() {
  stage traffic_compare "$DOPPEL" compare --real "$T/real.h5" --doppelganger "$T/doppelganger.h5" \
    --lstm "$T/lstm.h5" --bootstrap "$T/bootstrap.h5" --out "$T/compare" --no-plots
  cat "$T/compare/table.md"
}
traffic_conditional() {
  # The LSTM baseline draws its attributes from the real training sequences; the same
  # comparison for DoppelGANger conditions its generator on attributes drawn the same way
  # (evaluate, not compare: the LSTM's row would be the same as in traffic_compare).
  stage traffic_generate_conditional "$DOPPEL" generate --run "$T/run" --attributes-from "$T/real.h5" --n "$N" \
    --out "$T/doppelganger_conditional.h5" --seed 1
  stage traffic_evaluate_conditional "$DOPPEL" evaluate --real "$T/real.h5" \
    --synthetic "$T/doppelganger_conditional.h5" --out "$T/evaluate_conditional" --no-plots
  python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print("DoppelGANger conditioned on real attributes: similarity %.4f, autocorrelation %.4f, utility ratio %s" % (m["similarity"]["score"], m["autocorrelation"]["score"], m.get("utility", {}).get("ratio")))' "$T/evaluate_conditional/metrics.json"
}

bank_half() {
  K=$OUT/bank
  mkdir -p "$K"
  stage bank_simulate "$DOPPEL" simulate bank --out "$K/bank.csv" --quiet
  stage bank_prepare "$DOPPEL" prepare --config configs/bank.toml --input "$K/bank.csv" --out "$K/real.h5"
  rm -rf "$K/run"
  stage bank_train "$DOPPEL" train --config configs/bank.toml --set train.data="$K/real.h5" "${SETS[@]}" --out "$K/run"
  stage bank_generate "$DOPPEL" generate --run "$K/run" --n "$N" --out "$K/doppelganger.h5" --batch 250 --seed 1
  stage bank_evaluate "$DOPPEL" evaluate --real "$K/real.h5" --synthetic "$K/doppelganger.h5" \
    --config configs/bank.toml --out "$K/eval" --no-plots
}

# Two lanes, one single-threaded job each on the 2-core machine, so the wall time is the
# longest lane rather than the sum: lane 1 trains DoppelGANger on traffic (the longest job);
# lane 2 does the whole bank half and then the traffic baselines; once both are done, the
# comparison and the conditional evaluation run side by side.
lanes() {  # lanes "cmds of lane 1" "cmds of lane 2": runs both, prints their logs, fails if one did
  ( eval "$1" ) > "$OUT/lane1.log" 2>&1 & local p1=$!
  ( eval "$2" ) > "$OUT/lane2.log" 2>&1 & local p2=$!
  local rc1=0 rc2=0
  wait $p1 || rc1=$?
  wait $p2 || rc2=$?
  cat "$OUT/lane1.log" "$OUT/lane2.log"
  if (( rc1 != 0 || rc2 != 0 )); then echo "a lane failed (rc $rc1, $rc2)" >&2; exit 1; fi
}
case "$ONLY" in
  traffic) traffic_prepare; traffic_train; traffic_baselines; traffic_compare; traffic_conditional ;;
  bank) bank_half ;;
  "")
    traffic_prepare
    lanes traffic_train "bank_half && traffic_baselines"
    lanes traffic_compare traffic_conditional
    ;;
  *) echo "ONLY must be traffic, bank or empty, got '$ONLY'" >&2; exit 2 ;;
esac

echo "[fidelity] total: $(( $(date +%s) - T0 )) s"

python3 - "$OUT" "$ONLY" "$(( $(date +%s) - T0 ))" <<'EOF'
import json, os, sys
out, only, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
res, ok = {"total_s": total, "load_1min": float(open("/proc/loadavg").read().split()[0])}, True
def metrics(path):
    with open(path) as f:
        return json.load(f)
def check(name, value, target):
    global ok
    res[name] = round(value, 4)
    if not value >= target:
        ok = False
        res.setdefault("missed", []).append(f"{name} {value:.4f} < {target}")
if only in ("", "traffic"):
    m = {k: metrics(os.path.join(out, "traffic", "compare", k, "metrics.json"))
         for k in ("doppelganger", "lstm", "bootstrap")}
    def figures(v):
        # utility ratios (TSTR / TRTR MAE per horizon) and the discriminative score: lower is
        # better; cell_boundary: synthetic max/min of the step change by cell position (real's
        # is reported beside it)
        u = v.get("utility", {})
        return {"autocorrelation": v["autocorrelation"]["score"],
                "similarity": v["similarity"]["score"],
                "utility": u.get("ratio"),
                "utility_by_horizon": {h["horizon"]: h.get("ratio") for h in u.get("by_horizon", [])},
                "discriminative": v.get("discriminative", {}).get("score"),
                "cell_boundary": v.get("cell_boundary", {}).get("max_over_min_synthetic"),
                "cell_boundary_real": v.get("cell_boundary", {}).get("max_over_min_real")}
    for k, v in m.items():
        res[f"traffic_{k}"] = figures(v)
    res["traffic_real_forecasts"] = m["doppelganger"].get("utility", {}).get("by_horizon")
    c = metrics(os.path.join(out, "traffic", "evaluate_conditional", "metrics.json"))
    res["traffic_doppelganger_conditional"] = figures(c)
    dg, ls = res["traffic_doppelganger"], res["traffic_lstm"]
    check("traffic_autocorrelation", dg["autocorrelation"], 0.90)
    check("traffic_similarity", dg["similarity"], 0.80)
    for key in ("autocorrelation", "similarity", "utility"):
        # utility ratio = forecast error when trained on synthetic / on real, next step: lower is better
        better = (lambda a, b: a < b) if key == "utility" else (lambda a, b: a > b)
        beats = dg[key] is not None and ls[key] is not None and better(dg[key], ls[key])
        res[f"traffic_beats_lstm_{key}"] = beats
        ok = ok and beats
if only in ("", "bank"):
    b = metrics(os.path.join(out, "bank", "eval", "metrics.json"))
    check("bank_daily_outflow_autocorrelation", b["aggregate_autocorrelation"]["score"], 0.71)
    check("bank_similarity", b["similarity"]["score"], 0.63)
if total > 1800:
    ok = False
    res.setdefault("missed", []).append(f"total {total} s > 1800 s")
res["all_targets_met"] = ok
print(json.dumps(res))
sys.exit(0 if ok else 1)
EOF
