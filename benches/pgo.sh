#!/usr/bin/env bash
# Profile-guided build of `handoff`, and the simulator's bench run on it:
#   bash benches/pgo.sh            # PGO binary in target/pgo/use/release/handoff, then the bench
#   bash benches/pgo.sh --no-bench # the binary only
# Arguments after `--` go to `cargo bench` (HANDOFF_BENCH_DAYS works as for the plain bench).
#
# The training checks every shipped playbook and simulates a year of each one's first scenario
# (two replications). The reference load (scenario `scale`) is left out of the training, so the
# bench measures the profile on a population it has not seen. Needs `llvm-profdata` of rustc's
# own LLVM, from the rustup component `llvm-tools`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bench=1
if [ "${1:-}" = "--no-bench" ]; then
  bench=0
  shift
fi
[ "${1:-}" = "--" ] && shift

host="$(rustc -vV | sed -n 's/^host: //p')"
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
  echo "pgo.sh: no llvm-profdata at $profdata; install it with: rustup component add llvm-tools" >&2
  exit 2
fi

# The caller's own RUSTFLAGS (a target CPU, say) go into both builds.
base_flags="${RUSTFLAGS:-}"
out="$root/target/pgo"
raw="$out/raw"
mkdir -p "$raw"

echo "pgo.sh: building the instrumented binary (target/pgo/gen)" >&2
# Both builds are the bench's (`cargo bench --no-run`, which builds the `handoff` binary too):
# a profile's counts reach only functions of the same symbol name, and our crate's symbol names
# under `cargo bench` differ from a plain `cargo build`'s (dev-dependencies' features, most likely).
RUSTFLAGS="$base_flags -Cprofile-generate=$raw" cargo bench --locked --no-run --bench simulate \
  --target-dir "$out/gen"
# Build scripts run instrumented too; only the training's profiles count.
rm -rf "$raw"
mkdir -p "$raw"

echo "pgo.sh: training on the shipped playbooks (not on scenario scale)" >&2
gen="$out/gen/release/handoff"
for playbook in playbooks/*.playbook; do
  # Findings (exit 1) are fine for training; only a check that could not run (2) stops us.
  LLVM_PROFILE_FILE="$raw/%m_%p.profraw" "$gen" check "$playbook" >/dev/null || [ $? -eq 1 ]
  LLVM_PROFILE_FILE="$raw/%m_%p.profraw" "$gen" simulate "$playbook" --days 365 \
    --replications 2 --format json >/dev/null
done
"$profdata" merge -o "$out/merged.profdata" "$raw"
# Cargo fingerprints RUSTFLAGS, not the file it names: a profile named by its content makes a
# new profile rebuild everything.
profile="$out/handoff-$(sha256sum "$out/merged.profdata" | cut -c1-16).profdata"
rm -f "$out"/handoff-*.profdata
mv "$out/merged.profdata" "$profile"

echo "pgo.sh: building with the profile (target/pgo/use)" >&2
export RUSTFLAGS="$base_flags -Cprofile-use=$profile"
cargo bench --locked --no-run --bench simulate --target-dir "$out/use"
echo "pgo.sh: $out/use/release/handoff" >&2
if [ "$bench" = 1 ]; then
  cargo bench --locked --target-dir "$out/use" --bench simulate "$@"
fi
