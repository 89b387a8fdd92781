#!/usr/bin/env bash
# A full disk: every writer says "No space left on device", names its file, leaves no temporary
# file behind and exits 1 (no abort, no crash at exit). Runs on a small tmpfs; skipped with a
# message where mounting one is not permitted.
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d)
mnt="$tmp/full"
mkdir -p "$mnt"
cleanup() { umount "$mnt" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
if ! mount -t tmpfs -o size=1m tmpfs "$mnt" 2> "$tmp/mount.err"; then
  echo "SKIPPED: cannot mount a tmpfs here ($(head -1 "$tmp/mount.err")); the disk-full checks need one"
  finish
  exit 0
fi
cd "$src"

# A fresh 1 MiB tmpfs with `free` KiB left.
fill_to() {
  umount "$mnt"; mount -t tmpfs -o size=1m tmpfs "$mnt"
  dd if=/dev/zero of="$mnt/filler" bs=1k count=$((1024 - $1)) 2> /dev/null
}
# expect_enospc NAME LOG FILE_PATTERN: exit 1, the reason, the file named, no temporaries, no crash
expect_enospc() {
  local name=$1 rc=$2 log=$3 file=$4
  check "$name: exit 1 (rc=$rc)" '[ $rc -eq 1 ]'
  check "$name: says no space left and names the file" 'grep -qi "No space left on device" "$log" && grep -q "$file" "$log"'
  check "$name: no temporary file left" '[ -z "$(find "$mnt" -name "*.tmp-*")" ]'
  check "$name: no abort or crash message" '! grep -q "terminate called\|Segmentation\|core dumped\|internal error" "$log"'
}

"$doppel" prepare --config configs/traffic.toml --out "$tmp/t.h5" --set data.window=20 --set data.stride=240 > "$tmp/prep.log" 2>&1
check "prepare to a normal disk exits 0" '[ $? -eq 0 ]'
"$doppel" train --config configs/tiny.toml --out "$tmp/run" --set train.data="$tmp/t.h5" --set train.max_steps=2 > "$tmp/train.log" 2>&1
check "train on a normal disk exits 0" '[ $? -eq 0 ]'

fill_to 8
"$doppel" prepare --config configs/traffic.toml --out "$mnt/t.h5" --set data.window=20 --set data.stride=240 > "$tmp/p.log" 2>&1
expect_enospc "prepare" $? "$tmp/p.log" "$mnt/t.h5"

fill_to 8
"$doppel" generate --run "$tmp/run" --n 2000 --out "$mnt/g.h5" > "$tmp/gh.log" 2>&1
expect_enospc "generate .h5" $? "$tmp/gh.log" "$mnt/g.h5"

fill_to 8
"$doppel" generate --run "$tmp/run" --n 2000 --out "$mnt/g.csv" > "$tmp/gc.log" 2>&1
expect_enospc "generate .csv" $? "$tmp/gc.log" "$mnt/g.csv"

fill_to 8
"$doppel" export "$tmp/t.h5" --out "$mnt/t.csv" > "$tmp/e.log" 2>&1
expect_enospc "export" $? "$tmp/e.log" "$mnt/t.csv"

fill_to 16
"$doppel" train --config configs/tiny.toml --out "$mnt/run" --set train.data="$tmp/t.h5" --set train.max_steps=2 \
  --set train.vis_freq=0 > "$tmp/t.log" 2>&1
expect_enospc "train" $? "$tmp/t.log" "$mnt/run/"

for f in "$tmp"/*.log; do echo "--- $f"; tail -3 "$f"; done
finish
