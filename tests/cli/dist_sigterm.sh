#!/usr/bin/env bash
# SIGTERM / SIGUSR1 (Slurm preemption or time-limit warning) and SIGINT (Ctrl-C) during training:
# all ranks agree to stop, rank 0 writes a checkpoint, `doppel train` exits 75, and --resume
# continues from that checkpoint to the end. Covers one rank, two ranks where only rank 1 is
# signalled, and SIGTERM to the launch/mpirun wrapper (which must pass the 75 on). A second
# Ctrl-C ending the process at once: tests/unit/stop_signal_test.cpp (two kill(1)s in a row may
# arrive as one signal, so it is tested with raise()).
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d)
started=()
cleanup() { for p in "${started[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
cd "$src"
"$doppel" prepare --config configs/traffic.toml --out "$tmp/t.h5" --set data.window=20 --set data.stride=240 > "$tmp/prep.log" 2>&1
check "prepare exits 0" '[ $? -eq 0 ]'
common=(--config configs/tiny.toml --set train.data="$tmp/t.h5" --set train.vis_freq=0 --set train.log_every=1
        --set train.checkpoint_every=100000)

# wait_for FILE PATTERN: up to 120 s for a line to appear
wait_for() { for _ in $(seq 1 1200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
ckpt_step() { ls "$1"/ckpt-*.pt 2>/dev/null | sed 's/.*ckpt-0*\([0-9][0-9]*\)\.pt/\1/' | sort -n | tail -1; }

run_case() {  # name, signal target ("self" or "rank1"), signal, launcher...
  local name=$1 target=$2 sig=$3; shift 3
  local run="$tmp/$name"
  "$@" "$doppel" train "${common[@]}" --set train.max_steps=1000000 --out "$run" > "$tmp/$name.log" 2>&1 &
  local pid=$!; started+=("$pid")
  wait_for "$tmp/$name.log" "^\[rank 0\].*step 3" || echo "no progress line in $name"
  if [ "$target" = self ]; then
    kill -s "$sig" "$pid"
  else  # only rank 1 gets the signal (its process has OMPI_COMM_WORLD_RANK=1)
    local p1=""
    for c in $(pgrep -P "$pid"); do
      tr '\0' '\n' < /proc/$c/environ 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && p1=$c
    done
    [ -n "$p1" ] && kill -s "$sig" "$p1" || echo "rank 1 process not found"
  fi
  timeout 120 tail --pid="$pid" -f /dev/null; wait "$pid"; local rc=$?
  check "$name: exit 75 after the signal (rc=$rc)" '[ $rc -eq 75 ]'
  check "$name: every rank reports the stop" 'grep -q "^\[rank 0\] stopped by signal" "$tmp/$name.log"'
  local s; s=$(ckpt_step "$run")
  check "$name: a checkpoint was written (step ${s:-none})" '[ -n "$s" ] && [ "$s" -ge 3 ]'
  [ -n "$s" ] || return
  local end=$((s + 4))
  "$@" "$doppel" train "${common[@]}" --set train.max_steps=$end --out "$run" --resume > "$tmp/$name.resume.log" 2>&1
  check "$name: --resume exits 0" '[ $? -eq 0 ]'
  check "$name: resumed at the checkpoint's step $s" 'grep -q "^\[rank 0\] resumed at step $s\$" "$tmp/$name.resume.log"'
  check "$name: trained to the end (step $end)" '[ "$(ckpt_step "$run")" = "$end" ]'
}

run_case one-rank-sigterm self TERM
run_case one-rank-sigint self INT
run_case two-ranks-sigterm-via-launch-mpirun self TERM launch/mpirun -np 2
run_case two-ranks-sigterm-on-rank1 rank1 TERM mpirun -np 2 --oversubscribe --bind-to none
run_case two-ranks-sigusr1-via-mpirun self USR1 mpirun -np 2 --oversubscribe --bind-to none

[ "$fail" -eq 0 ] || for f in "$tmp"/*.log; do echo "--- $f"; tail -5 "$f"; done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
