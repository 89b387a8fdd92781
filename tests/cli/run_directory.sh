#!/usr/bin/env bash
# What `doppel train` does with its run directory and checkpoints: a non-empty directory needs
# --resume or --overwrite; one writer at a time (lock file naming the holder); a resume whose model
# settings differ from the checkpoint's is refused before anything is written; train.data is stored
# absolute; checkpoints carry a checksum (a damaged one is refused, --resume-from takes the previous
# one); settings that would only fail later are refused at start; clear one-line errors.
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d)
started=()
cleanup() { for p in "${started[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
cd "$src"
"$doppel" prepare --config configs/traffic.toml --out "$tmp/t.h5" --set data.window=20 --set data.stride=240 > "$tmp/prep.log" 2>&1
check "prepare exits 0" '[ $? -eq 0 ]'
# One line, no "internal error", no C++ backtrace.
clean() { [ "$(grep -c . "$1")" -le 3 ] && ! grep -q "internal error\|Exception raised from\|frame #" "$1"; }
common=(--config configs/tiny.toml --set train.data="$tmp/t.h5" --set train.vis_freq=0)

# --- a non-empty run directory needs --resume or --overwrite
"$doppel" train "${common[@]}" --out "$tmp/run" --set train.max_steps=4 > "$tmp/a.log" 2>&1
check "first run exits 0" '[ $? -eq 0 ] && [ -f "$tmp/run/ckpt-00000004.pt" ]'
cp "$tmp/run/config.toml" "$tmp/config.before"
"$doppel" train "${common[@]}" --out "$tmp/run" --set train.max_steps=2 > "$tmp/b.log" 2>&1
rc=$?
check "same --out without --resume: refused (rc=$rc)" '[ $rc -eq 1 ] && grep -q "run is not empty" "$tmp/b.log" && grep -q -- "--overwrite" "$tmp/b.log" && clean "$tmp/b.log"'
check "refused run left the old files alone" 'cmp -s "$tmp/run/config.toml" "$tmp/config.before" && [ -f "$tmp/run/ckpt-00000004.pt" ]'
"$doppel" train "${common[@]}" --out "$tmp/run" --resume --overwrite > "$tmp/c.log" 2>&1
check "--resume with --overwrite: usage error" '[ $? -eq 2 ]'
"$doppel" train "${common[@]}" --out "$tmp/run" --overwrite --set train.keep_checkpoints=0 > "$tmp/d0.log" 2>&1
check "--overwrite with a bad setting: refused before anything is deleted" '[ $? -eq 1 ] && [ -f "$tmp/run/ckpt-00000004.pt" ]'
"$doppel" train "${common[@]}" --out "$tmp/run" --overwrite --set train.max_steps=2 > "$tmp/d.log" 2>&1
check "--overwrite starts over" '[ $? -eq 0 ] && [ -f "$tmp/run/ckpt-00000002.pt" ] && [ ! -e "$tmp/run/ckpt-00000004.pt" ]'
mkdir -p "$tmp/notarun"; echo keep > "$tmp/notarun/notes.txt"
"$doppel" train "${common[@]}" --out "$tmp/notarun" --overwrite > "$tmp/e.log" 2>&1
check "--overwrite refuses a directory that is not a run" '[ $? -eq 1 ] && grep -q "does not look like a doppel run" "$tmp/e.log" && [ -f "$tmp/notarun/notes.txt" ]'

# --- one writer: a second train on a directory in use fails at once, naming the holder
"$doppel" train "${common[@]}" --out "$tmp/busy" --set train.max_steps=1000000 --set train.log_every=1 \
  --set train.checkpoint_every=1000000 > "$tmp/busy.log" 2>&1 &
holder=$!; started+=("$holder")
for _ in $(seq 1 1200); do grep -q "step 2" "$tmp/busy.log" 2>/dev/null && break; sleep 0.1; done
"$doppel" train "${common[@]}" --out "$tmp/busy" --resume > "$tmp/second.log" 2>&1
rc=$?
check "second writer fails (rc=$rc), naming the holder's pid $holder" '[ $rc -eq 1 ] && grep -q "in use by another doppel train (pid $holder" "$tmp/second.log"'
kill -TERM "$holder"; wait "$holder"
check "the holder was not disturbed (checkpoint on SIGTERM)" '[ $? -eq 75 ] && ls "$tmp/busy"/ckpt-*.pt > /dev/null 2>&1'
"$doppel" train "${common[@]}" --out "$tmp/busy" --resume --set train.max_steps=1 > "$tmp/after.log" 2>&1
check "the lock is free once the holder ended" '[ $? -eq 0 ] && [ -f "$tmp/busy/train.lock" ]'

# --- resume refuses model settings that differ from the checkpoint's, before writing anything
cp "$tmp/run/config.toml" "$tmp/config.before"
"$doppel" train "${common[@]}" --out "$tmp/run" --resume --set train.max_steps=4 --set model.lstm_units=32 \
  --set model.disc_units=32 > "$tmp/arch.log" 2>&1
rc=$?
check "resume with other model settings: refused (rc=$rc)" '[ $rc -eq 1 ] && clean "$tmp/arch.log"'
check "the refusal names every differing key, old → new" 'grep -q "model.lstm_units 16 → 32" "$tmp/arch.log" && grep -q "model.disc_units 16 → 32" "$tmp/arch.log"'
check "config.toml untouched, no new checkpoint" 'cmp -s "$tmp/run/config.toml" "$tmp/config.before" && [ ! -e "$tmp/run/ckpt-00000004.pt" ]'

# --- train.data is stored as an absolute path
cp "$tmp/t.h5" "$tmp/rel.h5"
(cd "$tmp" && "$doppel" train --config "$src/configs/tiny.toml" --set train.data=rel.h5 --set train.max_steps=1 \
   --set train.vis_freq=0 --out relrun) > "$tmp/rel.log" 2>&1
check "relative train.data: stored absolute" '[ $? -eq 0 ] && grep -Eqx "data = [\"'\'']$tmp/rel.h5[\"'\'']" "$tmp/relrun/config.toml"'

# --- checkpoints carry a checksum
"$doppel" train "${common[@]}" --out "$tmp/ck" --set train.max_steps=6 --set train.checkpoint_every=2 \
  --set train.keep_checkpoints=3 > "$tmp/ck.log" 2>&1
check "three checkpoints" '[ -f "$tmp/ck/ckpt-00000002.pt" ] && [ -f "$tmp/ck/ckpt-00000004.pt" ] && [ -f "$tmp/ck/ckpt-00000006.pt" ]'
cp "$tmp/ck/ckpt-00000006.pt" "$tmp/damaged.pt"
# Zero 8 bytes past the middle that are not zero already (the zip pads its entries with zeros).
python3 - "$tmp/damaged.pt" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
at = next(i for i in range(len(b) // 2, len(b) - 8) if any(b[i:i + 8]))
b[at:at + 8] = bytes(8); open(p, "wb").write(b)
PY
check "the damage changed the file" '! cmp -s "$tmp/damaged.pt" "$tmp/ck/ckpt-00000006.pt"'
"$doppel" generate --checkpoint "$tmp/damaged.pt" --n 5 --out "$tmp/dmg.h5" > "$tmp/dmg.log" 2>&1
check "generate refuses a damaged checkpoint" '[ $? -eq 1 ] && grep -q "damaged.pt: damaged checkpoint" "$tmp/dmg.log" && [ ! -e "$tmp/dmg.h5" ]'
cp "$tmp/damaged.pt" "$tmp/ck/ckpt-00000006.pt"
"$doppel" train "${common[@]}" --out "$tmp/ck" --resume --set train.max_steps=8 > "$tmp/ckr.log" 2>&1
check "--resume names the damaged newest checkpoint and offers the previous one" '[ $? -eq 1 ] && grep -q "ckpt-00000006.pt: damaged checkpoint" "$tmp/ckr.log" && grep -q -- "--resume-from $tmp/ck/ckpt-00000004.pt" "$tmp/ckr.log" && clean "$tmp/ckr.log"'
"$doppel" train "${common[@]}" --out "$tmp/ck" --resume-from "$tmp/ck/ckpt-00000004.pt" --set train.max_steps=8 > "$tmp/ckf.log" 2>&1
check "--resume-from the previous checkpoint continues" '[ $? -eq 0 ] && grep -q "resumed from $tmp/ck/ckpt-00000004.pt at step 4" "$tmp/ckf.log" && [ -f "$tmp/ck/ckpt-00000008.pt" ]'
"$doppel" train "${common[@]}" --out "$tmp/k0" --set train.keep_checkpoints=0 > "$tmp/k0.log" 2>&1
check "keep_checkpoints = 0: refused at start, nothing trained" '[ $? -eq 1 ] && grep -q "train.keep_checkpoints must be >= 1" "$tmp/k0.log" && ! ls "$tmp/k0"/ckpt-* > /dev/null 2>&1'

# --- one clear line instead of an internal error
"$doppel" generate --checkpoint "$tmp/run" --n 5 --out "$tmp/x.h5" > "$tmp/dir.log" 2>&1
check "generate --checkpoint DIR: one clear line" '[ $? -eq 1 ] && grep -q "is a directory" "$tmp/dir.log" && clean "$tmp/dir.log"'
echo file > "$tmp/file"
"$doppel" train "${common[@]}" --out "$tmp/file/run" > "$tmp/unw.log" 2>&1
check "train into an unwritable --out: one clear line" '[ $? -eq 1 ] && grep -q "cannot create run directory $tmp/file/run" "$tmp/unw.log" && clean "$tmp/unw.log"'
"$doppel" evaluate --real "$tmp/t.h5" --synthetic "$tmp/t.h5" --out "$tmp/file/eval" > "$tmp/unwe.log" 2>&1
check "evaluate into an unwritable --out: one clear line" '[ $? -eq 1 ] && grep -q "$tmp/file/eval" "$tmp/unwe.log" && clean "$tmp/unwe.log"'
"$doppel" train "${common[@]}" --out "$tmp/thr" --threads -1 > "$tmp/thr.log" 2>&1
check "train --threads -1: usage error" '[ $? -eq 2 ] && grep -q "threads must be >= 0" "$tmp/thr.log" && clean "$tmp/thr.log"'
"$doppel" generate --run "$tmp/run" --n 5 --out "$tmp/thr.h5" --threads -1 > "$tmp/gthr.log" 2>&1
check "generate --threads -1: usage error" '[ $? -eq 2 ] && grep -q "threads must be >= 1" "$tmp/gthr.log" && clean "$tmp/gthr.log"'

[ "$fail" -eq 0 ] || for f in "$tmp"/*.log; do echo "--- $f"; tail -3 "$f"; done
finish
