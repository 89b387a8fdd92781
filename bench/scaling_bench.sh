#!/usr/bin/env bash
# Weak scaling on this machine: bench/scaling_bench with 1 and 2 ranks (1 torch thread each,
# same local batch), then efficiency = throughput(2) / (2 × throughput(1)). Prints JSON.
#   bash bench/scaling_bench.sh [build_dir] [extra scaling_bench args...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"; shift || true
bin="$build/bench/scaling_bench"
[ -x "$bin" ] || { echo "build first: $bin not found" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
one=$(mpirun -np 1 --bind-to core "$bin" "$@" | tail -1)
two=$(mpirun -np 2 --bind-to core --mca mpi_yield_when_idle 1 "$bin" "$@" | tail -1)
python3 - "$one" "$two" <<'PY'
import json, sys, os
one, two = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({
    "machine_cores": os.cpu_count(),
    "load_average_1min": os.getloadavg()[0],  # other work on the machine skews the ratio
    "ranks_1": one, "ranks_2": two,
    "weak_scaling_efficiency": two["sequences_per_s"] / (2 * one["sequences_per_s"]),
}, indent=1))
PY
