#!/usr/bin/env bash
# Creates the Python virtual environment that the test cluster's jobs activate, as a user's
# `setup:` line would on a real cluster (`source /opt/hpcbench-venv/bin/activate`), and installs
# the reference workloads' packages (CPU torch, transformers, peft, accelerate) pinned in
# venv-requirements.txt. Run as root, no stdin; a re-run with everything in place only checks.
#
# It uses Debian's /usr/bin/python3: a pyenv or conda Python under /root is unreadable by the
# test user. The venv is world-readable, and the test user's import is checked at the end.
set -Eeuo pipefail
exec </dev/null

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV=${HPCBENCH_VENV:-/opt/hpcbench-venv}
PYTHON=/usr/bin/python3
REQUIREMENTS="$CLUSTER_DIR/venv-requirements.txt"
WHEEL_DIR=/opt/wheels
PIP_LOG=/tmp/hpcbench-venv-pip.log

require_root "$@"

# Exit 0 when every pinned distribution is installed in the venv at its pinned version.
pins_installed() {
  "$VENV/bin/python" - "$REQUIREMENTS" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version

for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, pinned = line.split("==")
    try:
        found = version(name)
    except PackageNotFoundError:
        sys.exit(f"{name} is not installed")
    if found != pinned:
        sys.exit(f"{name} {found} is installed, {pinned} is pinned")
PY
}

[[ -x $PYTHON ]] || die "$PYTHON not found: install Debian's python3"
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
  install_debian_packages python3-venv
fi

if [[ ! -x $VENV/bin/python ]]; then
  log "creating $VENV with $("$PYTHON" --version)"
  "$PYTHON" -m venv "$VENV"
fi

if pins_installed 2>/dev/null; then
  log "$VENV already has the pinned packages ($SECONDS s)"
else
  find_links=()
  if [[ -d $WHEEL_DIR ]]; then
    find_links=(--find-links "$WHEEL_DIR")
  else
    log "no $WHEEL_DIR here: pip must find torch's CPU wheel through its own configuration (PIP_FIND_LINKS or an index)"
  fi
  log "installing the $(grep -cv '^#' "$REQUIREMENTS") pinned packages into $VENV (pip log: $PIP_LOG)"
  if ! "$VENV/bin/python" -m pip install --no-input --disable-pip-version-check \
    "${find_links[@]}" -r "$REQUIREMENTS" >"$PIP_LOG" 2>&1; then
    tail -n 30 "$PIP_LOG" >&2
    die "pip install -r $REQUIREMENTS failed (full log: $PIP_LOG)"
  fi
  pins_installed || die "pip finished but $VENV does not have the pinned versions"
  log "installed in $SECONDS s ($(du -sh "$VENV" | cut -f1))"
fi

# The jobs run as the test user: the venv must be readable and executable by everyone.
chmod -R a+rX "$VENV"
if id "$TEST_USER" >/dev/null 2>&1; then
  runuser -u "$TEST_USER" -- "$VENV/bin/python" -c 'import accelerate, peft, torch, transformers' \
    || die "$TEST_USER cannot import the packages from $VENV"
fi
log "$VENV ready for $TEST_USER in $SECONDS s"
