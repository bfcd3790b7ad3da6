#!/usr/bin/env bash
# Installs, configures and starts a single-node SLURM test cluster (munge, MariaDB, slurmdbd,
# slurmctld, slurmd) plus an OpenSSH server on 127.0.0.1:2222 for the user hpcb, then writes the
# client key, known_hosts and cluster.json to tests/cluster/.state/. Run as root; idempotent.
# See tests/cluster/README.md.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root "$@"

started_at=$(date +%s)

# Renders conf/<name>.in into $2 with @KEY@ placeholders replaced by the variables of the same
# name. Prints "changed" when the file content differs from what was there.
render() {
  local template="$CLUSTER_DIR/conf/$1" dest=$2 mode=$3 tmp key
  tmp=$(mktemp)
  cp "$template" "$tmp"
  for key in $(grep -o '@[A-Z_]*@' "$template" | sort -u | tr -d '@'); do
    [[ -n ${!key+x} ]] || die "template $1 uses @$key@ but up.sh does not set $key"
    # '|' cannot appear in any of the values (paths, names, numbers, base64-free password).
    sed -i "s|@$key@|${!key}|g" "$tmp"
  done
  chmod "$mode" "$tmp"
  if [[ -f $dest ]] && cmp -s "$tmp" "$dest"; then
    rm -f "$tmp"
    return 0
  fi
  mv "$tmp" "$dest"
  echo changed
}

# The upper-case variables set below are read by render() through ${!key}.
# shellcheck disable=SC2034
choose_memory_enforcement() {
  # cgroup v1 memory controller mounted read-write: let slurmd confine jobs like a real cluster.
  if [[ -z ${HPCB_CLUSTER_NO_CGROUP:-} ]] && [[ -w /sys/fs/cgroup/memory ]] \
    && grep -qE '^cgroup /sys/fs/cgroup/memory cgroup rw' /proc/mounts \
    && grep -qE '^cgroup /sys/fs/cgroup/freezer cgroup rw' /proc/mounts; then
    MEMORY_ENFORCEMENT=cgroup
    TASK_PLUGIN=task/cgroup
    PROCTRACK=proctrack/cgroup
    JOBACCT_PARAMS=NoOverMemoryKill
  else
    MEMORY_ENFORCEMENT=overMemoryKill
    TASK_PLUGIN=task/none
    PROCTRACK=proctrack/linuxproc
    JOBACCT_PARAMS=OverMemoryKill
  fi
}

make_fake_gpus() {
  local i minor
  install -d -m 0755 "$LIB_DIR/dev"
  rm -f "$LIB_DIR/gpu0" "$LIB_DIR/gpu1" # plain files of an earlier version of this script
  for i in 0 1; do
    minor=$((i == 0 ? 3 : 5)) # /dev/null, /dev/zero: harmless if a job writes to them
    [[ -c $LIB_DIR/dev/nvidia$i ]] && continue
    rm -f "$LIB_DIR/dev/nvidia$i"
    mknod -m 0666 "$LIB_DIR/dev/nvidia$i" c 1 "$minor" 2>/dev/null || touch "$LIB_DIR/dev/nvidia$i"
  done
}

# shellcheck disable=SC2034
write_configs() {
  local real_mb nproc_n changed_slurm="" changed_dbd="" changed_sshd=""
  install -d -m 0755 "$ETC_DIR" "$LIB_DIR" "$PID_DIR" "$LOG_DIR" "$SLURM_ETC"
  install -d -m 0700 "$LIB_DIR/slurmctld"
  # Jobs execute their script from the spool directory as the job user: it must be traversable.
  install -d -m 0755 "$LIB_DIR/slurmd"
  make_fake_gpus

  CTLD_HOST=$(hostname -s)
  NODE_HOSTNAME=$CTLD_HOST
  nproc_n=$(nproc)
  NODE_CPUS=$((nproc_n < 8 ? 8 : nproc_n))
  real_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
  REAL_MEMORY=$((real_mb > 3072 ? real_mb - 1024 : real_mb * 2 / 3))
  choose_memory_enforcement

  if [[ ! -s $LIB_DIR/db-password ]]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -dc '0-9a-f' | head -c 32 >"$LIB_DIR/db-password")
  fi
  DB_PASSWORD=$(cat "$LIB_DIR/db-password")

  changed_slurm+=$(render slurm.conf.in "$SLURM_ETC/slurm.conf" 0644)
  changed_slurm+=$(render gres.conf.in "$SLURM_ETC/gres.conf" 0644)
  changed_slurm+=$(render cgroup.conf.in "$SLURM_ETC/cgroup.conf" 0644)
  changed_dbd=$(render slurmdbd.conf.in "$SLURM_ETC/slurmdbd.conf" 0600)

  if [[ ! -s $ETC_DIR/ssh_host_ed25519_key ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "hpcbench-cluster-host" -f "$ETC_DIR/ssh_host_ed25519_key"
  fi
  changed_sshd=$(render sshd_config.in "$ETC_DIR/sshd_config" 0644)
  install -d -m 0755 /run/sshd # privilege separation directory, needed even by -t
  /usr/sbin/sshd -t -f "$ETC_DIR/sshd_config" || die "sshd rejects $ETC_DIR/sshd_config"

  # A running daemon keeps its old configuration: restart the ones whose files changed.
  if [[ -n $changed_dbd ]] && is_running slurmdbd; then stop_daemon slurmdbd; fi
  if [[ -n $changed_slurm ]]; then
    is_running slurmd && stop_daemon slurmd
    is_running slurmctld && stop_daemon slurmctld
  fi
  if [[ -n $changed_sshd ]] && is_running sshd; then stop_daemon sshd; fi
  return 0
}

setup_database() {
  mariadb --socket=/run/mysqld/mysqld.sock -u root <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON slurm_acct_db.* TO 'slurm'@'localhost';
FLUSH PRIVILEGES;
SQL
}

setup_user() {
  if ! id "$TEST_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash --comment 'hpcbench test cluster user' "$TEST_USER"
  fi
  # A new account is locked ('!'); sshd refuses locked accounts even for key logins.
  usermod -p '*' "$TEST_USER"
  local home
  home=$(getent passwd "$TEST_USER" | cut -d: -f6)
  REMOTE_WORKDIR="$home/hpcbench"
  install -d -o "$TEST_USER" -g "$TEST_USER" -m 0755 "$REMOTE_WORKDIR"
  install -d -o "$TEST_USER" -g "$TEST_USER" -m 0700 "$home/.ssh"
}

register_accounting() {
  if ! sacctmgr -n -P show cluster format=cluster | grep -qx "$CLUSTER_NAME"; then
    sacctmgr -i add cluster "$CLUSTER_NAME" >/dev/null
  fi
  if ! sacctmgr -n -P show account "$CLUSTER_NAME" format=account | grep -qx "$CLUSTER_NAME"; then
    sacctmgr -i add account "$CLUSTER_NAME" Cluster="$CLUSTER_NAME" \
      Description='hpcbench tests' Organization=hpcbench >/dev/null
  fi
  if ! sacctmgr -n -P show user "$TEST_USER" format=user | grep -qx "$TEST_USER"; then
    sacctmgr -i add user "$TEST_USER" Account="$CLUSTER_NAME" DefaultAccount="$CLUSTER_NAME" >/dev/null
  fi
}

node_state() { sinfo -h -n "$NODE_NAME" -o '%T' 2>/dev/null | head -n 1; }

node_is_up() {
  case "$(node_state)" in
    idle | mixed | allocated | completing) return 0 ;;
    *) return 1 ;;
  esac
}

wait_for_node() {
  if wait_for "node $NODE_NAME to be idle" 30 node_is_up; then return 0; fi
  # A node drained by an earlier configuration stays drained: resume it once.
  log "node $NODE_NAME is '$(node_state)' ($(sinfo -h -n "$NODE_NAME" -o '%E')); resuming it"
  scontrol update NodeName="$NODE_NAME" State=RESUME >/dev/null 2>&1 || true
  wait_for "node $NODE_NAME to be idle" 60 node_is_up \
    || { show_log slurmd; show_log slurmctld; die "node $NODE_NAME is '$(node_state)', not idle"; }
}

write_client_state() {
  local home owner
  home=$(getent passwd "$TEST_USER" | cut -d: -f6)
  # One client key per machine, copied into each checkout: several clones can run the tests
  # against the one cluster without replacing each other's authorized key.
  install -d -m 0700 "$STATE_DIR" "$LIB_DIR/client"
  if [[ ! -s $LIB_DIR/client/id_ed25519 ]]; then
    rm -f "$LIB_DIR/client/id_ed25519" "$LIB_DIR/client/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$TEST_USER@hpcbench-tests" -f "$LIB_DIR/client/id_ed25519"
  fi
  install -m 0600 "$LIB_DIR/client/id_ed25519" "$STATE_DIR/id_ed25519"
  install -m 0644 "$LIB_DIR/client/id_ed25519.pub" "$STATE_DIR/id_ed25519.pub"
  install -o "$TEST_USER" -g "$TEST_USER" -m 0600 "$LIB_DIR/client/id_ed25519.pub" "$home/.ssh/authorized_keys"
  printf '[%s]:%s %s\n' "$SSH_ADDR" "$SSH_PORT" "$(cut -d' ' -f1,2 "$ETC_DIR/ssh_host_ed25519_key.pub")" \
    >"$STATE_DIR/known_hosts"
  cat >"$STATE_DIR/cluster.json" <<JSON
{
  "host": "$SSH_ADDR",
  "port": $SSH_PORT,
  "username": "$TEST_USER",
  "privateKeyPath": "$STATE_DIR/id_ed25519",
  "knownHostsPath": "$STATE_DIR/known_hosts",
  "partitions": ["cpu", "gpu"],
  "defaultPartition": "cpu",
  "gpuPartition": "gpu",
  "gpusPerNode": 2,
  "nodeName": "$NODE_NAME",
  "remoteWorkdir": "$REMOTE_WORKDIR",
  "clusterName": "$CLUSTER_NAME",
  "account": "$CLUSTER_NAME",
  "memoryEnforcement": "$MEMORY_ENFORCEMENT",
  "logDir": "$LOG_DIR"
}
JSON
  # Under sudo, hand the client files to the person who will run the tests.
  owner=${SUDO_USER:-root}
  if [[ $owner != root ]]; then chown -R "$owner" "$STATE_DIR"; fi
}

check_ssh() {
  ssh -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$STATE_DIR/known_hosts" -o ConnectTimeout=10 \
    -i "$STATE_DIR/id_ed25519" -p "$SSH_PORT" "$TEST_USER@$SSH_ADDR" sinfo -h -o '%P' >/dev/null
}

# cgroup v1 can look usable and still be refused by slurmd (a read-only hierarchy, a container):
# then fall back to the OverMemoryKill form rather than leave the node down.
start_slurmd_with_fallback() {
  if (start_slurmd); then return 0; fi
  [[ $MEMORY_ENFORCEMENT == cgroup ]] || die "slurmd does not start (log: $LOG_DIR/slurmd.log)"
  log "slurmd does not start with task/cgroup; falling back to JobAcctGatherParams=OverMemoryKill"
  export HPCB_CLUSTER_NO_CGROUP=1
  write_configs
  start_slurmctld
  start_slurmd
}

# Jobs recovered from an earlier boot of the test cluster belong to test runs that are gone (the
# machine stopped under them); left queued, they would take the node's CPUs from the next run.
cancel_leftover_jobs() {
  local left
  left=$(squeue -h -u "$TEST_USER" -o '%i' 2>/dev/null | wc -l)
  [[ $left -gt 0 ]] || return 0
  log "cancelling $left job(s) of $TEST_USER left from an earlier boot of the test cluster"
  scancel -u "$TEST_USER" || true
  wait_for "leftover jobs to end" 60 bash -c "[[ -z \$(squeue -h -u '$TEST_USER' -o '%i') ]]" \
    || log "some leftover jobs are still ending: $(squeue -h -u "$TEST_USER" -o '%i %T' | tr '\n' ' ')"
}

main() {
  local ctld_was_running=false
  is_running slurmctld && ctld_was_running=true
  install_debian_packages "${CLUSTER_PACKAGES[@]}"
  write_configs
  setup_user
  start_munged
  start_mariadb
  setup_database
  start_slurmdbd
  register_accounting
  start_slurmctld
  start_slurmd_with_fallback
  wait_for_node
  [[ $ctld_was_running == true ]] || cancel_leftover_jobs
  write_client_state
  start_sshd
  wait_for "ssh login as $TEST_USER" 20 check_ssh || { show_log sshd; die "cannot log in over ssh as $TEST_USER"; }

  log "cluster '$CLUSTER_NAME' is up in $(($(date +%s) - started_at))s (memory enforcement: $MEMORY_ENFORCEMENT)"
  sinfo >&2
  printf '\n'
  printf 'ssh:          %s@%s port %s\n' "$TEST_USER" "$SSH_ADDR" "$SSH_PORT"
  printf 'private key:  %s\n' "$STATE_DIR/id_ed25519"
  printf 'known_hosts:  %s\n' "$STATE_DIR/known_hosts"
  printf 'cluster.json: %s\n' "$STATE_DIR/cluster.json"
  printf 'daemon logs:  %s\n' "$LOG_DIR"
  printf 'try:          ssh -i %s -o UserKnownHostsFile=%s -p %s %s@%s sinfo\n' \
    "$STATE_DIR/id_ed25519" "$STATE_DIR/known_hosts" "$SSH_PORT" "$TEST_USER" "$SSH_ADDR"
}

main "$@"
