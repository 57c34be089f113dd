#!/usr/bin/env bash
# The main job: the baseline scenario ensemble (table on screen; worlds.parquet, summary.json,
# outcomes.png in runs/baseline). Extra arguments go to `negsim run` (e.g. --worlds 100000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$(bash "$root/scripts/venv.sh")"
cd "$root"
exec "$py" -m sim run scenarios/baseline.yaml --worlds 10000 --seed 20250412 --out runs/baseline "$@"
