#!/usr/bin/env bash
# End to end on a real Slurm: installs slurmctld and slurmd from Debian packages when missing,
# starts a single-node cluster on this host (munge key, slurm.conf with the host's name and
# CPUs), submits a sharded `handoff simulate` as an array job with a dependent merge job
# (submit.sh), waits, and checks that the merged report is byte for byte the report of the same
# run without shards: standard output and every file of `--out`.
#
#   deploy/slurm/e2e.sh [HANDOFF_BINARY]
#
# Needs root (or sudo) on a Debian machine; tests/cli_shard_slurm.rs runs it when asked.
# Everything it starts (munged, slurmctld, slurmd) is stopped again on exit, and its files stay
# in one temporary directory, removed on success; the packages stay installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
handoff=${1:-$root/target/debug/handoff}
[ -x "$handoff" ] || { echo "e2e: no handoff binary at $handoff (cargo build first)" >&2; exit 2; }
handoff=$(cd "$(dirname "$handoff")" && pwd)/$(basename "$handoff")
sudo="" as_munge="runuser -u munge --"
[ "$(id -u)" -eq 0 ] || { sudo="sudo"; as_munge="sudo -u munge"; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

work=$(mktemp -d /tmp/handoff-slurm-e2e.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  status=$?
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -f "$work/$f" ] && pids+=("$(cat "$work/$f")")
  done
  for pid in "${pids[@]}"; do $sudo kill "$pid" 2>/dev/null || true; done
  # The daemons write their state as they stop: wait for them before removing it.
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
  if [ "$status" -eq 0 ]; then rm -rf "$work"; else echo "e2e: failed; files kept in $work" >&2; fi
  exit "$status"
}
trap cleanup EXIT

# munge: a key of its own, and a daemon on a socket of its own, so a munged already running
# (with another key) is left alone.
mkdir -p "$work/munge"
$sudo dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
$sudo chown -R munge:munge "$work/munge"
$sudo chmod 700 "$work/munge"
$sudo chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
$as_munge /usr/sbin/munged --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
  --seed-file="$work/munge/munged.seed" --force

host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool" "$work/run"
cat >"$work/slurm.conf" <<CONF
ClusterName=handoff-e2e
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=e2e Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
$sudo env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmctld -f "$SLURM_CONF"
$sudo env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmd -f "$SLURM_CONF"

for _ in $(seq 60); do
  state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
  case "$state" in idle*|mix*) break ;; esac
  sleep 1
done
case "$state" in idle*|mix*) ;; *) echo "e2e: node $host is \`$state\`, not idle" >&2; exit 1 ;; esac

run=(simulate "$root/playbooks/seed-matrix.playbook" --days 10 --replications 9 --seed 27)
merge=(--format json --out "$work/run/report")
export HANDOFF="$handoff"
job=$("$root/deploy/slurm/submit.sh" 4 "$work/run" "${run[@]}" -- "${merge[@]}")
echo "e2e: submitted the array and merge job $job"
# The merge job ends, or waits for ever when a shard failed (its dependency can no longer be met).
field() { scontrol show job "$job" | sed -n "s/.*[[:space:]]$1=\([A-Za-z_]*\).*/\1/p" | head -1; }
for _ in $(seq 300); do
  state=$(field JobState)
  case "$state" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
  [ "$(field Reason)" = DependencyNeverSatisfied ] && break
  sleep 1
done
if [ "$state" != COMPLETED ]; then
  echo "e2e: merge job $job is $state ($(field Reason))" >&2
  cat "$work/run"/*.log "$work/run/merge.err" >&2 2>/dev/null || true
  exit 1
fi

"$handoff" "${run[@]}" --threads 2 "${merge[0]}" "${merge[1]}" --out "$work/local" >"$work/local.json" 2>/dev/null
cmp "$work/local.json" "$work/run/merge.out"
diff -r "$work/local" "$work/run/report"
echo "e2e: the merged report of 4 Slurm shards is the local run's report, byte for byte ($(ls "$work/local" | wc -l) files and standard output)"
