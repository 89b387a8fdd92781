#!/usr/bin/env bash
# Training that must not go on stops with exit 1 and a message, keeping what was good:
# a non-finite loss (one rank and two ranks), and a private run whose fixed noise affords no step.
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
cd "$src"
"$doppel" prepare --config configs/traffic.toml --out "$tmp/t.h5" --set data.window=20 --set data.stride=240 > "$tmp/prep.log" 2>&1
check "prepare exits 0" '[ $? -eq 0 ]'
common=(--config configs/tiny.toml --set train.data="$tmp/t.h5" --set train.vis_freq=0)

# --- NaN: a good start, then a learning rate that diverges
"$doppel" train "${common[@]}" --out "$tmp/run" --set train.max_steps=2 --set train.checkpoint_every=1 > "$tmp/good.log" 2>&1
check "good start exits 0" '[ $? -eq 0 ] && [ -f "$tmp/run/ckpt-00000002.pt" ]'
cp "$tmp/run/ckpt-00000002.pt" "$tmp/good.pt"
"$doppel" train "${common[@]}" --out "$tmp/run" --resume --set train.max_steps=50 --set train.checkpoint_every=1 \
  --set train.keep_checkpoints=1 --set train.d_lr=1e30 > "$tmp/nan.log" 2>&1
rc=$?
check "non-finite loss: exit 1 (rc=$rc)" '[ $rc -eq 1 ]'
check "the message names the step" 'grep -q "error: step [0-9]*: a loss or gradient is not finite" "$tmp/nan.log"'
check "no NaN in the progress lines" '! grep -qi "nan" <(grep "^\[rank" "$tmp/nan.log")'
step=$(sed -n 's/.*error: step \([0-9]*\):.*/\1/p' "$tmp/nan.log")
check "no checkpoint of the failing step ${step:-?}" '[ -n "$step" ] && [ ! -e "$tmp/run/ckpt-$(printf %08d "$step").pt" ]'
newest=$(ls "$tmp/run"/ckpt-*.pt | tail -1)
check "a checkpoint is kept (${newest##*/})" '[ -n "$newest" ]'
"$doppel" generate --checkpoint "$newest" --n 20 --out "$tmp/after.csv" > "$tmp/gen.log" 2>&1
check "the kept checkpoint generates finite numbers" '[ $? -eq 0 ] && ! grep -qi "nan\|inf" "$tmp/after.csv"'

mpirun -np 2 --oversubscribe --bind-to none "$doppel" train "${common[@]}" --out "$tmp/run2" --set train.max_steps=50 \
  --set train.d_lr=1e30 > "$tmp/nan2.log" 2>&1
rc=$?
check "two ranks: both stop, exit 1 (rc=$rc)" '[ $rc -eq 1 ] && grep -q "is not finite" "$tmp/nan2.log"'
check "two ranks: no checkpoint written" '! ls "$tmp/run2"/ckpt-*.pt > /dev/null 2>&1'

# --- DP with a fixed noise multiplier so small that not even one step fits the budget
"$doppel" train "${common[@]}" --out "$tmp/dp" --set privacy.enabled=true --set privacy.noise_multiplier=0.05 \
  --set privacy.target_epsilon=1 > "$tmp/dp.log" 2>&1
rc=$?
check "DP run that affords no step: refused before training (rc=$rc)" '[ $rc -eq 1 ] && grep -q "no step is affordable" "$tmp/dp.log"'
check "DP run that affords no step: no checkpoint" '! ls "$tmp/dp"/ckpt-*.pt > /dev/null 2>&1'

[ "$fail" -eq 0 ] || for f in "$tmp"/*.log; do echo "--- $f"; tail -3 "$f"; done
finish
