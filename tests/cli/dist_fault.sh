#!/usr/bin/env bash
# Two ranks under mpirun: a normal run finishes on the MPI communicator; an error injected on
# rank 1 (DOPPEL_FAULT_INJECT=1:3) ends BOTH ranks within seconds with rank 1's message and
# a non-zero exit, instead of leaving rank 0 waiting in a collective.
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
mpi=(mpirun -np 2 --oversubscribe --bind-to none)
cd "$src"
"$doppel" prepare --config configs/traffic.toml --out "$tmp/t.h5" --set data.window=20 --set data.stride=240 > "$tmp/prep.log" 2>&1
check "prepare exits 0" '[ $? -eq 0 ]'
common=(--config configs/tiny.toml --set train.data="$tmp/t.h5" --set train.vis_freq=0 --set dist.checksum_every=1)

timeout 300 "${mpi[@]}" "$doppel" train "${common[@]}" --out "$tmp/ok" > "$tmp/ok.log" 2>&1
check "2-rank run exits 0" '[ $? -eq 0 ]'
check "both ranks on the MPI communicator" 'grep -q "^\[rank 0\].*2 rank(s), mpi communicator" "$tmp/ok.log" && grep -q "^\[rank 1\].*2 rank(s), mpi communicator" "$tmp/ok.log"'
check "one writer: final checkpoint" '[ -f "$tmp/ok/ckpt-00000006.pt" ]'

start=$(date +%s)
timeout 300 "${mpi[@]}" -x DOPPEL_FAULT_INJECT=1:3 "$doppel" train "${common[@]}" --set train.max_steps=100000 \
  --out "$tmp/fault" > "$tmp/fault.log" 2>&1
rc=$?; elapsed=$(( $(date +%s) - start ))
check "fault: non-zero exit (rc=$rc)" '[ $rc -ne 0 ] && [ $rc -ne 124 ]'
check "fault: rank 1's message" 'grep -q "^\[rank 1\] error: injected fault (DOPPEL_FAULT_INJECT=1:3)" "$tmp/fault.log"'
check "fault: all ranks ended within 30 s (took ${elapsed}s)" '[ $elapsed -le 30 ]'
check "fault: no rank left running" '! pgrep -f "$tmp/fault" > /dev/null'

# a bad injection spec is an error too, not ignored
timeout 120 "${mpi[@]}" -x DOPPEL_FAULT_INJECT=oops "$doppel" train "${common[@]}" --out "$tmp/bad" > "$tmp/bad.log" 2>&1
check "bad DOPPEL_FAULT_INJECT fails clearly" '[ $? -ne 0 ] && grep -q "DOPPEL_FAULT_INJECT must be RANK:STEP" "$tmp/bad.log"'

# forcing a communicator that cannot work fails clearly
"$doppel" train "${common[@]}" --set dist.communicator='"nccl"' --out "$tmp/nccl" > "$tmp/nccl.log" 2>&1
check "dist.communicator=nccl without NCCL/GPU fails clearly" '[ $? -ne 0 ] && grep -qi "nccl" "$tmp/nccl.log"'
"$doppel" train "${common[@]}" --set dist.communicator='"carrier-pigeon"' --out "$tmp/k" > "$tmp/k.log" 2>&1
check "unknown dist.communicator fails clearly" '[ $? -ne 0 ] && grep -q "dist.communicator must be" "$tmp/k.log"'

[ "$fail" -eq 0 ] || { echo "--- fault.log"; tail -20 "$tmp/fault.log"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
