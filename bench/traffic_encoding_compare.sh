#!/usr/bin/env bash
# Binned (50 levels) vs continuous traffic_volume at equal steps (2,000 each): trains both
# with configs/traffic.toml, generates 5,000 weeks each, evaluates; prints one line per variant.
#   bash bench/traffic_encoding_compare.sh        (build first: launch/build)
set -e
cd "$(dirname "$0")/.."
D=build/doppel; K=out/bvc; mkdir -p $K
$D prepare --config configs/traffic.toml --out $K/cont.h5 > /dev/null 2>&1
$D prepare --config configs/traffic.toml --out $K/binned.h5 --set 'columns[9].encoding="binned"' --set 'columns[9].bins=50' > /dev/null 2>&1
for v in cont binned; do
  s=$(date +%s)
  $D train --config configs/traffic.toml --set train.data=$K/$v.h5 --set train.max_steps=2000 --out $K/run_$v --overwrite > $K/train_$v.log 2>&1
  t=$(( $(date +%s) - s ))
  $D generate --run $K/run_$v --n 5000 --out $K/syn_$v.h5 --seed 1 > /dev/null
  $D evaluate --real $K/$v.h5 --synthetic $K/syn_$v.h5 --out $K/eval_$v --no-plots --set eval.learned=false > /dev/null 2>&1
  python3 -c "import json; m=json.load(open('$K/eval_$v/metrics.json')); print('$v', 'train_s', $t, 'similarity', round(m['similarity']['score'],4), 'autocorrelation', round(m['autocorrelation']['score'],4))"
done
