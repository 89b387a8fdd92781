#!/usr/bin/env bash
# Evaluation of a large data set streams: ~1 million weekly windows (1,000 simulated
# sensors × 1 year, stride 8 h) evaluated against a bootstrap baseline, learned metrics
# included (they read seeded samples: eval.utility_max_windows, eval.discriminative_max_sequences),
# printing the wall time and peak memory (which must stay far below the data's decoded size).
#   bash bench/evaluate_bench.sh [DIR]      (build first: launch/build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
doppel="$root/build/doppel"
dir="${1:-$root/out/bench}"
mkdir -p "$dir"
cd "$root"
[ -f "$dir/traffic_1000.csv" ] || "$doppel" simulate traffic --sensors 1000 --days 365 --seed 1 --out "$dir/traffic_1000.csv" --quiet
[ -f "$dir/traffic_1M.h5" ] || "$doppel" prepare --config configs/traffic_sim.toml --input "$dir/traffic_1000.csv" \
  --out "$dir/traffic_1M.h5" --set data.stride=8 > /dev/null
"$doppel" baseline bootstrap --data "$dir/traffic_1M.h5" --n 20000 --out "$dir/traffic_1M_boot.h5" --seed 1 > /dev/null
items=$("$doppel" inspect "$dir/traffic_1M.h5" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['items'])")
/usr/bin/time -f "%e %M" -o "$dir/eval_time.txt" "$doppel" evaluate --real "$dir/traffic_1M.h5" \
  --synthetic "$dir/traffic_1M_boot.h5" --out "$dir/eval_1M" --no-plots > "$dir/eval_1M.log" 2>&1
read secs kb < "$dir/eval_time.txt"
python3 - "$items" "$secs" "$kb" <<'PY'
import json, sys
items, secs, kb = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(json.dumps({"benchmark": "evaluate_streaming", "real_windows": items, "window_steps": 168,
                  "seconds": secs, "windows_per_s": round(items / secs),
                  "peak_rss_mb": round(kb / 1024, 1), "learned_metrics": True,
                  "decoded_size_if_held_mb": round(items * 168 * 8 / 1e6)}))
PY
