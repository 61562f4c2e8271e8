#!/usr/bin/env bash
# Runs the SimPy M/M/c model in its own virtual environment (SimPy from PyPI), for the
# comparison in docs/benchmarks.md: bash benches/simpy/run.sh [YEARS] [SEED]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/../../target/simpy-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "simpy==4.1.1"
fi
exec "$venv/bin/python" "$here/mmc.py" "$@"
