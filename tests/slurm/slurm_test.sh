#!/usr/bin/env bash
# Runs slurm/train.sbatch (2 tasks, srun --mpi=pmix) and slurm/sweep.sbatch (a 3-task job
# array) on a single-node Slurm cluster started here: munged, slurmctld and slurmd with all
# state under a temporary directory and free ports. Stops only the daemons it started.
#   bash tests/slurm/slurm_test.sh path/to/doppel source_dir
# Exit 0 with a final "N passed, 0 failed", or "SKIPPED: ..." and exit 0 when Slurm is not
# installed or cannot be started; non-zero when a job misbehaves.
set -u
doppel="$(readlink -f "$1")"; src="$(readlink -f "$2")"
skip() { echo "SKIPPED: $*"; exit 0; }
for b in slurmctld slurmd sbatch srun munged; do
  command -v "$b" > /dev/null || skip "$b not installed (Debian: slurmctld slurmd slurm-client munge)"
done
tmp=$(mktemp -d /tmp/doppel-slurm-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -n "${KEEP_SLURM_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass+1)); else echo "FAIL: $1"; fail=$((fail+1)); fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
host=$(hostname -s)
mkdir -p "$tmp"/{state,spool,munge,work}
chmod 700 "$tmp/munge"

# --- munge: own key and socket --------------------------------------------------------
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$tmp/munge/munge.key"
munged --foreground --force --socket="$tmp/munge/munge.sock" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/seed" \
  > "$tmp/munge/stdout" 2>&1 &
pids+=($!)

# --- slurm.conf -----------------------------------------------------------------------
ctl_port=$(free_port); d_port=$(free_port)
cat > "$tmp/slurm.conf" <<CONF
ClusterName=doppeltest
SlurmctldHost=$host
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.sock
CredType=cred/munge
SlurmUser=$(id -un)
SlurmdUser=root
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
MinJobAge=2
EnforcePartLimits=ALL
KillWait=5
NodeName=$host CPUs=4 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" > "$tmp/slurmctld.stdout" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" > "$tmp/slurmd.stdout" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 1 120); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then up=1; break; fi
  sleep 0.5
done
if [ $up -ne 1 ]; then
  tail -5 "$tmp/slurmctld.log" "$tmp/slurmd.log" "$tmp/munge/munged.log" 2>/dev/null
  skip "the single-node Slurm cluster did not come up within 60 s (see logs above)"
fi
echo "slurm up on $host (ports $ctl_port/$d_port)"

# --- a tiny data set --------------------------------------------------------------------
cd "$src"
"$doppel" prepare --config configs/traffic.toml --out "$tmp/work/t.h5" --set data.window=20 --set data.stride=240 \
  > "$tmp/prep.log" 2>&1
check "prepare exits 0" '[ $? -eq 0 ]'
export DOPPEL="$doppel" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tiny=(--config "$src/configs/tiny.toml" --set train.data="$tmp/work/t.h5" --set train.vis_freq=0)

# --- training: 2 tasks under srun --mpi=pmix --------------------------------------------
timeout 300 sbatch --wait --ntasks=2 --ntasks-per-node=2 --time=5 --chdir="$tmp/work" \
  --output="$tmp/work/train-%j.out" "$src/slurm/train.sbatch" "${tiny[@]}" --out "$tmp/work/run" > "$tmp/sbatch_train.log" 2>&1
check "train.sbatch job succeeded" '[ $? -eq 0 ]'
out=$(ls "$tmp"/work/train-*.out 2>/dev/null | head -1)
check "train job output exists" '[ -n "$out" ]'
check "rank 0 and rank 1 trained on the MPI communicator" 'grep -q "^\[rank 0\].*2 rank(s), mpi communicator" "$out" && grep -q "^\[rank 1\].*2 rank(s), mpi communicator" "$out"'
check "final checkpoint written once" '[ -f "$tmp/work/run/ckpt-00000006.pt" ]'
check "script reported exit 0" 'grep -q "doppel train exited 0" "$out"'

# --- a 3-task job array (the privacy sweep script) --------------------------------------
timeout 300 sbatch --wait --array=0-2 --time=5 --chdir="$tmp/work" --output="$tmp/work/sweep-%A_%a.out" \
  --export=ALL,EPSILONS="1 4 10",SWEEP_DIR="$tmp/work/sweep" "$src/slurm/sweep.sbatch" "${tiny[@]}" \
  > "$tmp/sbatch_sweep.log" 2>&1
check "sweep.sbatch array succeeded" '[ $? -eq 0 ]'
for eps in 1 4 10; do
  check "array task for eps $eps wrote its run" '[ -f "$tmp/work/sweep/eps-$eps/ckpt-00000006.pt" ] && grep -q "target_epsilon = $eps" "$tmp/work/sweep/eps-$eps/config.toml"'
done
check "three array task outputs" '[ $(ls "$tmp"/work/sweep-*_*.out 2>/dev/null | wc -l) -eq 3 ]'

# --- an impossible request is rejected, not left pending --------------------------------
sbatch --ntasks=64 --time=1 --wrap=true > "$tmp/reject.log" 2>&1
check "impossible request rejected (EnforcePartLimits)" '[ $? -ne 0 ]'

if [ "$fail" -ne 0 ]; then
  for f in "$tmp"/work/*.out "$tmp"/sbatch_*.log; do echo "--- $f"; tail -15 "$f"; done
  tail -20 "$tmp/slurmctld.log" "$tmp/slurmd.log"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
