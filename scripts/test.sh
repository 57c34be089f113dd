#!/usr/bin/env bash
# The whole test suite: lint, format check, type check, then pytest (warnings on deprecations are errors).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$(bash "$root/scripts/venv.sh")"
cd "$root"
"$py" -m ruff check sim tests benchmarks
"$py" -m ruff format --check sim tests benchmarks
"$py" -m mypy
exec "$py" -m pytest -W error::DeprecationWarning "$@"
