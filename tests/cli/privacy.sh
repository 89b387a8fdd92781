#!/usr/bin/env bash
# `doppel privacy epsilon|sigma`: values from shared/privacy (Opacus reference and the
# README's sigma table), --json output, and clear failures on bad input.
set -u
doppel="$1"
pass=0
fail=0
check() {  # check NAME CONDITION-EXIT-STATUS
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Help lists both subcommands.
"$doppel" privacy --help >"$tmp/help" 2>&1
check "privacy --help exit" $?
grep -q "epsilon" "$tmp/help" && grep -q "sigma" "$tmp/help"
check "privacy --help lists epsilon and sigma" $?
"$doppel" privacy epsilon --help | grep -q -- "--noise-multiplier"
check "privacy epsilon --help" $?

# Reference row: q=0.01, sigma=1, 1000 steps, delta=1e-5 -> 2.1013652716430564 at alpha 7.8.
"$doppel" privacy epsilon --sampling-rate 0.01 --noise-multiplier 1 --steps 1000 --delta 1e-5 \
  >"$tmp/eps" 2>"$tmp/eps.err"
check "epsilon exit" $?
awk '$1=="epsilon"{d=$2-2.1013652716430564; if (d<0) d=-d; ok=(d<1e-9)} END{exit !ok}' "$tmp/eps"
check "epsilon value" $?
grep -qx "best_order 7.8" "$tmp/eps"
check "epsilon best order" $?
[ ! -s "$tmp/eps.err" ]
check "no warning for an interior order" $?

# JSON output.
"$doppel" privacy epsilon --sampling-rate 0.01 --noise-multiplier 4 --steps 100 --delta 1e-5 --json \
  >"$tmp/eps.json" 2>"$tmp/eps_edge.err"
check "epsilon --json exit" $?
python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert abs(j["epsilon"] - 0.1240370728681038) < 1e-9, j
assert j["best_order"] == 63 and j["order_at_edge"] is True, j
' "$tmp/eps.json"
check "epsilon --json content" $?
grep -q "warning" "$tmp/eps_edge.err" && grep -q "largest" "$tmp/eps_edge.err"
check "edge-order warning on stderr" $?

# Sigma for a target epsilon (README table).
out=$("$doppel" privacy sigma --sampling-rate 0.01 --steps 10000 --delta 1e-5 --target-epsilon 1)
check "sigma exit" $?
echo "$out" | grep -qx "noise_multiplier 4.140625"
check "sigma value" $?
"$doppel" privacy sigma --sampling-rate 0.01 --steps 10000 --delta 1e-5 --target-epsilon 8 --json >"$tmp/sigma.json"
check "sigma --json exit" $?
python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["noise_multiplier"] == 0.9173583984375, j
assert j["epsilon"] <= 8 and j["target_epsilon"] == 8, j
' "$tmp/sigma.json"
check "sigma --json content" $?

# Bad values fail with a message naming the problem.
"$doppel" privacy epsilon --sampling-rate 0.01 --noise-multiplier 1 --steps 1000 --delta 1.5 \
  >/dev/null 2>"$tmp/bad"
[ $? -ne 0 ] && grep -q "delta" "$tmp/bad"
check "bad delta rejected" $?
"$doppel" privacy sigma --sampling-rate 0.01 --steps 1000 --delta 0 --target-epsilon 1 >/dev/null 2>"$tmp/bad"
[ $? -ne 0 ] && grep -q "delta" "$tmp/bad"
check "sigma bad delta rejected" $?
"$doppel" privacy epsilon --sampling-rate 2 --noise-multiplier 1 --steps 10 --delta 1e-5 >/dev/null 2>"$tmp/bad"
[ $? -ne 0 ] && grep -q "sampling rate" "$tmp/bad"
check "bad q rejected" $?
"$doppel" privacy epsilon --sampling-rate 0.01 --noise-multiplier abc --steps 10 --delta 1e-5 >/dev/null 2>&1
[ $? -eq 2 ]
check "non-number is a usage error" $?
"$doppel" privacy epsilon --sampling-rate 0.01 --steps 10 --delta 1e-5 >/dev/null 2>"$tmp/bad"
[ $? -eq 2 ] && grep -q "noise-multiplier" "$tmp/bad"
check "missing option is a usage error" $?
"$doppel" privacy sigma --sampling-rate 0.01 --steps 1000 --delta 1e-5 --target-epsilon 0.05 >/dev/null 2>"$tmp/bad"
[ $? -ne 0 ] && grep -q "unreachable" "$tmp/bad"
check "unreachable target rejected" $?
"$doppel" privacy nosuch >/dev/null 2>&1
[ $? -eq 2 ]
check "unknown subcommand" $?
"$doppel" privacy >/dev/null 2>&1
[ $? -eq 2 ]
check "missing subcommand" $?

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
