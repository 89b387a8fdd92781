#!/usr/bin/env bash
# doppel sweep end to end on a tiny prepared traffic set: two budgets (epsilon 4 and
# non-private), a few steps each; table, plot, privacy metadata, membership audit.
set -u
doppel="$1"; src="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib/check.sh"
cd "$src"
"$doppel" prepare --config configs/traffic.toml --out "$tmp/t.h5" --set data.window=20 --set data.stride=120 > "$tmp/prep.log" 2>&1
check "prepare exits 0" '[ $? -eq 0 ]'

{ cat configs/tiny.toml; printf '\n[eval]\nlearned = false\n'; } > "$tmp/base.toml"
cat > "$tmp/sweep.toml" <<TOML
[sweep]
base_config = "$tmp/base.toml"
data = "$tmp/t.h5"
epsilons = [4, 0]
steps = 4
generate = 40
out_dir = "$tmp/out"
mia_records = 20
threads = 1
TOML
"$doppel" sweep --config "$tmp/sweep.toml" > "$tmp/sweep.log" 2>&1
check "sweep exits 0" '[ $? -eq 0 ] || { tail -5 "$tmp/sweep.log"; false; }'
check "csv: header + 2 rows" '[ $(wc -l < "$tmp/out/sweep.csv") -eq 3 ]'
check "csv header" 'head -1 "$tmp/out/sweep.csv" | grep -q "^epsilon,epsilon_spent,delta,sigma,accounted_steps,similarity,autocorrelation,autocorrelation_vs_nonprivate,utility_ratio,mia_auc$"'
check "private row: spent <= 4, 8 accounted steps" 'awk -F, '\''$1=="4" && $2>0 && $2<=4 && $4>0 && $5==8 {ok=1} END {exit !ok}'\'' "$tmp/out/sweep.csv"'
check "non-private row" 'grep -q "^inf,inf,,,0," "$tmp/out/sweep.csv"'
check "MIA AUC in [0,1] on both rows" '[ $(awk -F, '\''NR>1 && $10!="" && $10>=0 && $10<=1'\'' "$tmp/out/sweep.csv" | wc -l) -eq 2 ]'
check "similarity numeric" '[ $(awk -F, '\''NR>1 && $6>0 && $6<=1'\'' "$tmp/out/sweep.csv" | wc -l) -eq 2 ]'
check "markdown table" 'grep -q "^| epsilon | epsilon_spent" "$tmp/out/sweep.md"'
check "plot" '[ -s "$tmp/out/sweep.png" ] && head -c 8 "$tmp/out/sweep.png" | grep -q PNG'
check "privacy.json of the private run" 'grep -q "\"noise_multiplier\"" "$tmp/out/eps_4/run/privacy.json"'
check "no privacy.json for the non-private run" '[ ! -e "$tmp/out/eps_inf/run/privacy.json" ]'
check "generated file carries the privacy metadata" 'grep -aq "accounted_steps" "$tmp/out/eps_4/synthetic.h5"'
check "audit json" 'grep -q "\"auc\"" "$tmp/out/eps_4/membership_audit.json"'

# Budget exhausted before max_steps: training stops early and says so.
"$doppel" train --config "$tmp/base.toml" --out "$tmp/stop" --set train.data="$tmp/t.h5" --set train.max_steps=1000 \
  --set privacy.enabled=true --set privacy.noise_multiplier=0.8 --set privacy.target_epsilon=3 --set train.vis_freq=0 > "$tmp/stop.log" 2>&1
check "budget stop exits 0" '[ $? -eq 0 ]'
check "budget stop message" 'grep -q "privacy budget: stopping at step" "$tmp/stop.log"'
check "spent epsilon within target" 'python3 -c "import json,sys; j=json.load(open(\"$tmp/stop/privacy.json\")); sys.exit(not (2.5 < j[\"epsilon\"] <= 3 and j[\"accounted_steps\"] < 2000))"'

"$doppel" sweep --config "$tmp/sweep.toml" --set sweep.base_config= > "$tmp/bad.log" 2>&1
check "empty base config fails clearly" '[ $? -ne 0 ] && grep -q "sweep.base_config" "$tmp/bad.log"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
