#!/usr/bin/env bash
# The whole test suite: lint, format check, type check, then pytest (warnings on deprecations are errors).
# Sets up everything first: .venv with the project (scripts/venv.sh) and, as root, Debian's
# chromium for the dashboard's browser test (scripts/system-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/system-deps.sh"
py="$(bash "$root/scripts/venv.sh")"
cd "$root"
echo "negsim: lint (ruff), format check, type check (mypy), then the tests (pytest)" >&2
"$py" -m ruff check --quiet sim tests benchmarks scripts notebooks
"$py" -m ruff format --check --quiet sim tests benchmarks scripts notebooks
"$py" -m mypy
exec "$py" -m pytest -W error::DeprecationWarning "$@"
