#!/usr/bin/env bash
# Creates .venv with a Python >= 3.12 and installs the project into it (idempotent).
# Sourced by scripts/baseline.sh and scripts/test.sh; prints the venv's python on success.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"

is_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  local c
  for c in "${NEGSIM_PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 && is_ok "$c"; then command -v "$c"; return 0; fi
  done
  # pyenv keeps interpreters under its root; its shims do not select them by name.
  local roots=() r v
  command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root)")
  roots+=("${PYENV_ROOT:-$HOME/.pyenv}")
  for r in "${roots[@]}"; do
    for v in $(ls -1 "$r/versions" 2>/dev/null | sort -rV); do
      if [ -x "$r/versions/$v/bin/python3" ] && is_ok "$r/versions/$v/bin/python3"; then
        echo "$r/versions/$v/bin/python3"; return 0
      fi
    done
  done
  return 1
}

stamp="$venv/.installed"
if [ ! -x "$venv/bin/python" ] || ! is_ok "$venv/bin/python"; then
  if ! py="$(find_python)"; then
    echo "negsim needs Python >= 3.12, and none was found (tried \$NEGSIM_PYTHON, python3.13," >&2
    echo "python3.12, python3 and pyenv's versions). Install one, for example:" >&2
    echo "  apt-get install python3.12 python3.12-venv   (Debian/Ubuntu)" >&2
    echo "  pyenv install 3.12                          (pyenv)" >&2
    echo "then run this command again, or point NEGSIM_PYTHON at it." >&2
    exit 1
  fi
  echo "negsim: creating .venv with $py" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  # pip's own chatter (warnings about the machine's package index, build notices) goes to a
  # log, shown only when the installation fails.
  log="$venv/install.log"
  echo "negsim: installing the project and its dependencies into .venv (log: .venv/install.log)" >&2
  if ! { "$venv/bin/python" -m pip install --quiet --upgrade pip \
         && "$venv/bin/python" -m pip install --quiet -e "$root[dev]"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "negsim: the installation failed; the log above is also in $log" >&2
    exit 1
  fi
  touch "$stamp"
fi
echo "$venv/bin/python"
