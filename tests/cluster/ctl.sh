#!/usr/bin/env bash
# Stops or starts one daemon of the test cluster, for fault-injection tests:
#   ctl.sh stop|start|restart sshd|slurmctld|slurmd|slurmdbd|munged|mariadb
#   ctl.sh status
# "stop sshd" also ends the open sessions of the test sshd (a server that goes away drops its
# connections); the system sshd, if any, is never touched. Run as root, after up.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  printf 'usage: %s stop|start|restart DAEMON   (DAEMON: %s)\n       %s status\n' \
    "$0" "${DAEMONS[*]}" "$0" >&2
  exit 2
}

action=${1:-}
[[ -n $action ]] || usage
if [[ $action == status ]]; then
  for name in "${DAEMONS[@]}"; do
    if pid=$(running_pid "$name"); then
      printf '%-10s running (pid %s)\n' "$name" "$pid"
    else
      printf '%-10s stopped\n' "$name"
    fi
  done
  exit 0
fi

name=${2:-}
[[ -n $name ]] || usage
daemon_comm "$name" >/dev/null
require_root "$@"
[[ -f $SLURM_ETC/slurm.conf && -f $ETC_DIR/sshd_config ]] \
  || die "the test cluster was never set up here: run sudo bash $CLUSTER_DIR/up.sh first"

case "$action" in
  stop) stop_daemon "$name" ;;
  start) start_daemon "$name" ;;
  restart)
    stop_daemon "$name"
    start_daemon "$name"
    ;;
  *) usage ;;
esac
