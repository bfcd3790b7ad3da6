# shellcheck shell=bash disable=SC2034  # the variables here are used by the scripts that source it
# Shared paths and helpers for up.sh, down.sh and ctl.sh. Sourced, never run.
#
# Everything machine-wide lives under fixed paths so that down.sh and ctl.sh find what up.sh
# started, whichever checkout they are run from. Only the client side (key, known_hosts,
# cluster.json) goes into the checkout, under tests/cluster/.state/.

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="$CLUSTER_DIR/.state"

CLUSTER_NAME=hpcbench
NODE_NAME=hpcbench-node
TEST_USER=hpcb
SSH_PORT=2222
SSH_ADDR=127.0.0.1

ETC_DIR=/etc/hpcbench-cluster          # sshd_config and its host key
LIB_DIR=/var/lib/hpcbench-cluster      # fake GPU files, database password
PID_DIR=/run/hpcbench-cluster          # one <daemon>.pid per process up.sh started
LOG_DIR=/var/log/hpcbench-cluster      # one <daemon>.log per daemon
SLURM_ETC=/etc/slurm                   # Debian's daemons read their config here

CLUSTER_PACKAGES=(slurmctld slurmd slurm-client slurmdbd munge mariadb-server mariadb-client
  openssh-server openssh-client procps iproute2)

# Order matters: each daemon needs the ones before it; down.sh walks it backwards.
DAEMONS=(munged mariadb slurmdbd slurmctld slurmd sshd)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

require_root() {
  [[ $(id -u) -eq 0 ]] || die "run as root: sudo bash $0 $*"
}

# Installs the Debian packages not yet installed; a no-op (no apt call) when all are.
install_debian_packages() {
  local missing=() pkg created_policy=0 apt_log=/tmp/hpcbench-cluster-apt.log status=0
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  # Packages must not start their own copies of the daemons (init scripts would race ours).
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >"$apt_log" 2>&1; then
    log "apt-get install failed; refreshing the package lists and trying once more"
    apt-get -o DPkg::Lock::Timeout=600 update -q >>"$apt_log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >>"$apt_log" 2>&1 \
      || status=$?
  fi
  [[ $created_policy -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
  if [[ $status -ne 0 ]]; then
    tail -n 30 "$apt_log" >&2
    die "apt-get install ${missing[*]} failed (full log: $apt_log)"
  fi
}

# Executable name each daemon's /proc/<pid>/comm must show; guards against a recycled pid.
daemon_comm() {
  case "$1" in
    munged) echo munged ;;
    mariadb) echo mariadbd ;;
    slurmdbd) echo slurmdbd ;;
    slurmctld) echo slurmctld ;;
    slurmd) echo slurmd ;;
    sshd) echo sshd ;;
    *) die "unknown daemon '$1' (expected one of: ${DAEMONS[*]})" ;;
  esac
}

# Prints the recorded pid of a daemon if that process is alive and is that daemon.
running_pid() {
  local name=$1 pid comm
  [[ -r "$PID_DIR/$name.pid" ]] || return 1
  pid=$(tr -dc '0-9' <"$PID_DIR/$name.pid")
  [[ -n $pid ]] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == "$(daemon_comm "$name")" ]] || return 1
  echo "$pid"
}

is_running() { running_pid "$1" >/dev/null; }

# Waits up to $2 seconds for the command in "${@:3}" to succeed; $1 names what we wait for.
wait_for() {
  local what=$1 seconds=$2 i
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "timed out after ${seconds}s waiting for $what"
  return 1
}

# TERM, then KILL after a grace period. Only ever the recorded pid (and, for sshd, its
# per-connection children, which that pid forked).
stop_daemon() {
  local name=$1 pid child i
  if ! pid=$(running_pid "$name"); then
    rm -f "$PID_DIR/$name.pid"
    return 0
  fi
  if [[ $name == sshd ]]; then
    # Killing only the listener would leave open sessions alive; a stopped server drops them.
    for child in $(pgrep -P "$pid" 2>/dev/null || true); do kill -TERM "$child" 2>/dev/null || true; done
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    [[ -e /proc/$pid ]] || break
    sleep 0.5
  done
  if [[ -e /proc/$pid ]]; then
    log "$name (pid $pid) ignored TERM for 30s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_DIR/$name.pid"
  log "stopped $name (pid $pid)"
}

# Copies a pid file a daemon wrote elsewhere into PID_DIR, once it exists.
record_pid_from() {
  local name=$1 file=$2
  wait_for "$name pid file $file" 20 test -s "$file" || return 1
  if [[ $file != "$PID_DIR/$name.pid" ]]; then tr -dc '0-9' <"$file" >"$PID_DIR/$name.pid"; fi
  is_running "$name"
}

start_munged() {
  is_running munged && return 0
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  rm -f /run/munge/munged.pid
  touch "$LOG_DIR/munged.log" && chown munge:munge "$LOG_DIR/munged.log"
  runuser -u munge -- /usr/sbin/munged --force --log-file="$LOG_DIR/munged.log" \
    || { show_log munged; die "munged failed to start"; }
  record_pid_from munged /run/munge/munged.pid || die "munged did not record its pid"
  wait_for "munge credentials" 20 sh -c 'munge -n | unmunge' || die "munge does not work"
  log "started munged (pid $(running_pid munged))"
}

start_mariadb() {
  is_running mariadb && return 0
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  touch "$LOG_DIR/mariadb.log" && chown mysql:mysql "$LOG_DIR/mariadb.log"
  # No TCP listener: slurmdbd reaches it over the local socket.
  setsid /usr/sbin/mariadbd --user=mysql --skip-networking --socket=/run/mysqld/mysqld.sock \
    --pid-file=/run/mysqld/mysqld.pid --log-error="$LOG_DIR/mariadb.log" \
    </dev/null >>"$LOG_DIR/mariadb.log" 2>&1 &
  echo $! >"$PID_DIR/mariadb.pid"
  wait_for "mariadb to accept connections" 60 mariadb-admin --socket=/run/mysqld/mysqld.sock ping \
    || { show_log mariadb; die "mariadb did not start"; }
  log "started mariadb (pid $(running_pid mariadb))"
}

start_slurmdbd() {
  is_running slurmdbd && return 0
  /usr/sbin/slurmdbd || { show_log slurmdbd; die "slurmdbd failed to start"; }
  record_pid_from slurmdbd "$PID_DIR/slurmdbd.pid" || { show_log slurmdbd; die "slurmdbd exited"; }
  wait_for "slurmdbd to answer sacctmgr" 60 sacctmgr -n show cluster \
    || { show_log slurmdbd; die "slurmdbd does not answer"; }
  log "started slurmdbd (pid $(running_pid slurmdbd))"
}

start_slurmctld() {
  is_running slurmctld && return 0
  /usr/sbin/slurmctld || { show_log slurmctld; die "slurmctld failed to start"; }
  record_pid_from slurmctld "$PID_DIR/slurmctld.pid" || { show_log slurmctld; die "slurmctld exited"; }
  wait_for "slurmctld to answer" 60 scontrol ping || { show_log slurmctld; die "slurmctld does not answer"; }
  log "started slurmctld (pid $(running_pid slurmctld))"
}

start_slurmd() {
  is_running slurmd && return 0
  /usr/sbin/slurmd -N "$NODE_NAME" || { show_log slurmd; die "slurmd failed to start"; }
  record_pid_from slurmd "$PID_DIR/slurmd.pid" || { show_log slurmd; die "slurmd exited"; }
  log "started slurmd (pid $(running_pid slurmd))"
}

start_sshd() {
  is_running sshd && return 0
  install -d -m 0755 /run/sshd # privilege separation directory
  /usr/sbin/sshd -f "$ETC_DIR/sshd_config" -E "$LOG_DIR/sshd.log" \
    || { show_log sshd; die "sshd failed to start"; }
  record_pid_from sshd "$PID_DIR/sshd.pid" || { show_log sshd; die "sshd exited"; }
  wait_for "sshd on $SSH_ADDR:$SSH_PORT" 20 bash -c "exec 3<>/dev/tcp/$SSH_ADDR/$SSH_PORT" \
    || { show_log sshd; die "sshd does not listen on $SSH_ADDR:$SSH_PORT"; }
  log "started sshd on $SSH_ADDR:$SSH_PORT (pid $(running_pid sshd))"
}

start_daemon() {
  case "$1" in
    munged) start_munged ;;
    mariadb) start_mariadb ;;
    slurmdbd) start_slurmdbd ;;
    slurmctld) start_slurmctld ;;
    slurmd) start_slurmd ;;
    sshd) start_sshd ;;
    *) die "unknown daemon '$1' (expected one of: ${DAEMONS[*]})" ;;
  esac
}

show_log() {
  local file="$LOG_DIR/$1.log"
  if [[ -r $file ]]; then
    printf '%s\n' "----- last lines of $file -----" >&2
    tail -n "${SHOW_LOG_LINES:-40}" "$file" >&2
  fi
}

show_all_logs() {
  local name
  for name in "${DAEMONS[@]}"; do show_log "$name"; done
}
