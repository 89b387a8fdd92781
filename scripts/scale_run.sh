#!/usr/bin/env bash
# Scale run: simulated multi-sensor traffic (configs/traffic_sim.toml, weekly windows) at two
# sizes, each trained with 2 MPI ranks for a fixed number of steps. Every rank reads only the
# windows of its slice of each global batch (lazily, from HDF5), so per-rank peak memory
# should not grow with the number of sensors. Prints one JSON line per size.
#   bash scripts/scale_run.sh [build_dir]        env: SIZES="100 1000" DAYS=365 STEPS=50
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
doppel="$(readlink -f "${1:-$root/build}")/doppel"
work="${SCALE_DIR:-$(mktemp -d)}"; mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
cd "$root"
for n in ${SIZES:-100 1000}; do
  csv="$work/traffic_$n.csv"; h5="$work/traffic_$n.h5"
  [ -f "$h5" ] || {
    "$doppel" simulate traffic --sensors "$n" --days "${DAYS:-365}" --out "$csv" --quiet
    "$doppel" prepare --config configs/traffic_sim.toml --set data.input="$csv" --set data.output="$h5" \
      --out "$h5" > "$work/prepare_$n.log"
    rm -f "$csv"
  }
  log="$work/train_$n.log"
  mpirun -np 2 --bind-to none "$doppel" train --config configs/traffic_sim.toml --out "$work/run_$n" --overwrite \
    --set train.data="$h5" --set train.max_steps="${STEPS:-50}" --set train.log_every=10 \
    --set model.sample_len=8 --set train.checkpoint_every=1000000 --set train.vis_freq=0 --threads 1 > "$log" 2>&1
  items=$(grep -m1 "^\[rank 0\] training on" "$log" | sed 's/.*training on \([0-9]*\) sequences.*/\1/')
  mem=$(grep "peak memory" "$log" | sort | sed 's/.*peak memory \([0-9]*\) MiB.*/\1/' | paste -sd, -)
  echo "{\"sensors\": $n, \"training_windows\": $items, \"h5_bytes\": $(stat -c %s "$h5"), \"steps\": ${STEPS:-50}, \"peak_rss_mib_per_rank\": [$mem]}"
done
