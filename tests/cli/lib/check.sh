# Sourced by the CLI test scripts: `check NAME 'shell condition'` counts a pass or prints
# FAIL: NAME; `finish` prints the closing "N passed, M failed" line and sets the exit code.
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass+1)); else echo "FAIL: $1"; fail=$((fail+1)); fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
