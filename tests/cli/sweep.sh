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

# Public pretraining: a public split (the earliest 30 %), one non-private pretraining run on
# it, then every budget fine-tunes from its checkpoint with the sweep's extra overrides.
"$doppel" prepare --config configs/traffic.toml --out "$tmp/p.h5" --set data.window=20 --set data.stride=120 \
  --set data.public_fraction=0.3 > "$tmp/prep_p.log" 2>&1
check "prepare with a public split" 'grep -q " public) from " "$tmp/prep_p.log"'
check "inspect shows the public split" '"$doppel" inspect "$tmp/p.h5" | grep -q ", public [0-9]"'
"$doppel" train --config "$tmp/base.toml" --out "$tmp/pub" --set train.data="$tmp/p.h5" --set train.split=public \
  --set train.max_steps=2 --set train.vis_freq=0 > "$tmp/pub.log" 2>&1
n_public=$("$doppel" inspect "$tmp/p.h5" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["public"])' 2>/dev/null)
check "train.split=public trains on the public items only" 'grep -q "training on $n_public sequences" "$tmp/pub.log"'
"$doppel" train --config "$tmp/base.toml" --out "$tmp/pub_bad" --set train.data="$tmp/t.h5" --set train.split=public \
  --set train.max_steps=2 > "$tmp/pub_bad.log" 2>&1
check "no public split: clear error" '[ $? -ne 0 ] && grep -q "no items in the public split" "$tmp/pub_bad.log" && grep -q "data.public_fraction" "$tmp/pub_bad.log"'
"$doppel" train --config "$tmp/base.toml" --out "$tmp/pub_bad2" --set train.data="$tmp/p.h5" --set train.split=private \
  > "$tmp/pub_bad2.log" 2>&1
check "unknown train.split rejected" '[ $? -ne 0 ] && grep -q "train.split must be" "$tmp/pub_bad2.log"'

# --init-from with --resume (a requeued fine-tuning job): the first start initialises from the
# checkpoint, a restart resumes its own run.
ft=(--config "$tmp/base.toml" --out "$tmp/ft" --set train.data="$tmp/p.h5" --set train.vis_freq=0 --resume
    --init-from "$tmp/pub/ckpt-00000002.pt")
"$doppel" train "${ft[@]}" --set train.max_steps=2 > "$tmp/ft1.log" 2>&1
check "--resume --init-from on a new run initialises" 'grep -q "initialised weights from" "$tmp/ft1.log"'
"$doppel" train "${ft[@]}" --set train.max_steps=4 > "$tmp/ft2.log" 2>&1
check "--resume --init-from on a started run resumes" 'grep -q "resumed at step 2 (--init-from ignored" "$tmp/ft2.log" && ! grep -q "initialised weights" "$tmp/ft2.log" && [ -f "$tmp/ft/ckpt-00000004.pt" ]'

"$doppel" sweep --config "$tmp/sweep.toml" --set sweep.data="$tmp/p.h5" --set sweep.out_dir="$tmp/outp" \
  --set sweep.pretrain_steps=3 --set 'sweep.set=["train.d_lr=1e-5"]' > "$tmp/sweep_p.log" 2>&1
check "sweep with pretraining exits 0" '[ $? -eq 0 ] || { tail -5 "$tmp/sweep_p.log"; false; }'
check "pretraining run on the public split" '[ -f "$tmp/outp/pretrain/run/ckpt-00000003.pt" ] && grep -q "^split = .public.$" "$tmp/outp/pretrain/run/config.toml"'
check "pretraining is not private" 'grep -A3 "^\[privacy\]" "$tmp/outp/pretrain/run/config.toml" | grep -q "enabled = false"'
check "budgets start from the pretrained checkpoint" 'grep -q "initialised weights from $tmp/outp/pretrain/run/ckpt-00000003.pt" "$tmp/outp/eps_4/train.log"'
check "budgets get sweep.set" 'grep -Eq "^d_lr = 1(\.0*1?)?e-05$" "$tmp/outp/eps_4/run/config.toml"'
check "md names the initialisation" 'grep -q "pretrained for 3 non-private steps on the public split" "$tmp/outp/sweep.md"'
"$doppel" sweep --config "$tmp/sweep.toml" --set sweep.data="$tmp/p.h5" --set sweep.out_dir="$tmp/outp" \
  --set sweep.pretrain_steps=3 --only 4 > "$tmp/sweep_p2.log" 2>&1
check "rerun reuses the pretrained model" 'grep -q "public pretraining: reusing" "$tmp/sweep_p2.log"'
"$doppel" sweep --config "$tmp/sweep.toml" --set sweep.pretrain_steps=3 > "$tmp/bad_p.log" 2>&1
check "pretraining without a public split fails clearly" '[ $? -ne 0 ] && grep -q "needs a public split" "$tmp/bad_p.log"'
"$doppel" sweep --config "$tmp/sweep.toml" --set sweep.pretrain_steps=3 --set sweep.init_from=x.pt > "$tmp/bad_p2.log" 2>&1
check "pretrain_steps and init_from exclude each other" '[ $? -ne 0 ] && grep -q "not both" "$tmp/bad_p2.log"'

"$doppel" sweep --config "$tmp/sweep.toml" --set 'sweep.epsilons=[0]' --set sweep.out_dir="$tmp/out0" > "$tmp/sweep0.log" 2>&1
check "non-private-only sweep: table, no plot, says why" '[ $? -eq 0 ] && [ -f "$tmp/out0/sweep.csv" ] && [ ! -e "$tmp/out0/sweep.png" ] && grep -q "no plot against epsilon" "$tmp/out0/sweep.md"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
