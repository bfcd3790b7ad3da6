#!/usr/bin/env bash
# Stops the daemons tests/cluster/up.sh started, by the pids it recorded, newest first.
# Installed packages, configuration, the database and tests/cluster/.state/ stay, so the next
# up.sh is quick. Run as root.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root "$@"

for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
  stop_daemon "${DAEMONS[i]}"
done
log "test cluster stopped (logs stay in $LOG_DIR)"
