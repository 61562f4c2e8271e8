#!/usr/bin/env bash
# Submits a sharded run and its merge to Slurm: an array job of SHARDS tasks and a merge job that
# starts only when every task has succeeded.
#
#   deploy/slurm/submit.sh SHARDS RUN_DIR HANDOFF_ARGS... -- MERGE_ARGS...
#   deploy/slurm/submit.sh 16 /shared/runs/q3 sweep big.playbook --set sellers.inbound=4..12 --replications 200 -- --format json --out /shared/runs/q3/report
#
# RUN_DIR must be visible to every node; parts go to RUN_DIR/parts, job logs to RUN_DIR.
# Prints the merge job's id, so a caller can wait for it.
set -euo pipefail
if [ "$#" -lt 3 ]; then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
shards=$1 run_dir=$2
shift 2
run_args=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  run_args+=("$1")
  shift
done
[ "$#" -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$run_dir/parts"
array=$(sbatch --parsable --array="0-$((shards - 1))" --chdir="$PWD" \
  --output="$run_dir/shard-%a.log" --export="ALL,PARTS=$run_dir/parts" \
  "$here/shard.sbatch" "${run_args[@]}")
array=${array%%;*}
sbatch --parsable --dependency="afterok:$array" --chdir="$PWD" \
  --output="$run_dir/merge.out" --error="$run_dir/merge.err" --export="ALL,PARTS=$run_dir/parts" \
  "$here/merge.sbatch" "$@"
