#!/usr/bin/env bash
#SBATCH --job-name=lora
#SBATCH --partition=sequana_gpu
#SBATCH --account=proj
#SBATCH --time=02:00:00
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=48
#SBATCH --mem=0
#SBATCH --gres=gpu:1
#SBATCH --output=out/lora/main/job.out
#SBATCH --error=out/lora/main/job.err
#SBATCH --comment=hpcbench:<run-id>
#SBATCH --signal=B:USR1@300
#SBATCH --requeue
#SBATCH --open-mode=append
# The helpers below run from traps (SC2317); setup lines source files that exist only on the cluster (SC1090, SC1091).
# shellcheck disable=SC2317,SC1090,SC1091
#
# hpcbench job script: experiment lora, run <run-id>, template gpu.
# Rendered from hpcbench.yaml: change the config and render again rather than editing this file.
# The setup and command lines are copied verbatim from the config (they are your own shell code);
# every other value in this script is quoted data.
set -euo pipefail

export HPCBENCH_RUN_ID=<run-id>
export HPCBENCH_EXPERIMENT=lora
# sbatch runs the job with --chdir set to the run directory; a local runner may set it instead.
export HPCBENCH_RUN_DIR="${HPCBENCH_RUN_DIR:-$PWD}"
cd "$HPCBENCH_RUN_DIR"
export HPCBENCH_TASK=main
export HPCBENCH_OUT_DIR="$HPCBENCH_RUN_DIR"/out/lora/"$HPCBENCH_TASK"
export HPCBENCH_FILES_DIR="$HPCBENCH_RUN_DIR/files"
export HPCBENCH_INFERENCE_LOG="$HPCBENCH_OUT_DIR"/inference.jsonl
export HPCBENCH_TRAINING_LOG="$HPCBENCH_OUT_DIR"/train.jsonl
export HPCBENCH_CHECKPOINT_DIR="$HPCBENCH_RUN_DIR"/checkpoints/"$HPCBENCH_EXPERIMENT"/"$HPCBENCH_TASK"
mkdir -p "$HPCBENCH_CHECKPOINT_DIR"
mkdir -p "$HPCBENCH_OUT_DIR"
hpcb_script_path="$HPCBENCH_RUN_DIR"/scripts/lora.sbatch
hpcb_script_json='"scripts/lora.sbatch"'

# --- helpers -------------------------------------------------------------------------------------
# JSON is written by bash itself (python3 is not on every compute node): strings are escaped here.
# Sets the variable named $1 to $2 as a JSON string, without a command substitution (this runs
# from signal traps: bash 5.2 can fail to re-parse a $(...) there).
hpcb_json_quote() {
  local hpcb_s=$2
  hpcb_s=${hpcb_s//\\/\\\\}
  hpcb_s=${hpcb_s//\"/\\\"}
  hpcb_s=${hpcb_s//$'\n'/\\n}
  hpcb_s=${hpcb_s//$'\r'/\\r}
  hpcb_s=${hpcb_s//$'\t'/\\t}
  hpcb_s=${hpcb_s//[$'\001'-$'\037']/}
  printf -v "$1" '"%s"' "$hpcb_s"
}

hpcb_json_str() {
  local quoted
  hpcb_json_quote quoted "$1"
  printf '%s' "$quoted"
}

# The value of the variable named $1 as a JSON string, or null when it is unset.
hpcb_json_var() {
  if [[ -n ${!1+set} ]]; then hpcb_json_str "${!1}"; else printf 'null'; fi
}

# The same, with null for an empty value too.
hpcb_json_nonempty() {
  if [[ -n ${!1:-} ]]; then hpcb_json_str "${!1}"; else printf 'null'; fi
}

hpcb_trim() {
  local s=$1
  s=${s#"${s%%[![:space:]]*}"}
  s=${s%"${s##*[![:space:]]}"}
  printf '%s' "$s"
}

hpcb_sha256_json() {
  local sum
  if [[ -r $1 ]] && command -v sha256sum >/dev/null 2>&1; then
    sum=$(sha256sum "$1")
    hpcb_json_str "${sum%% *}"
  else
    printf 'null'
  fi
}

hpcb_nodes_json() {
  local hosts='' out='' sep='' host
  if [[ -n ${SLURM_JOB_NODELIST:-} ]] && command -v scontrol >/dev/null 2>&1; then
    hosts=$(scontrol show hostnames "$SLURM_JOB_NODELIST" 2>/dev/null) || hosts=''
  fi
  if [[ -z $hosts ]]; then hosts=$(hostname); fi
  while IFS= read -r host; do
    if [[ -n $host ]]; then
      out+="$sep$(hpcb_json_str "$host")"
      sep=', '
    fi
  done <<<"$hosts"
  printf '[%s]' "$out"
}

# GPU names and driver, when nvidia-smi is there; an empty list otherwise.
hpcb_gpus_json() {
  local out='' sep='' rows='' index name driver uuid memory
  if command -v nvidia-smi >/dev/null 2>&1; then
    rows=$(LC_ALL=C nvidia-smi --query-gpu=index,name,driver_version,uuid,memory.total --format=csv,noheader,nounits 2>/dev/null) || rows=''
  fi
  while IFS=, read -r index name driver uuid memory; do
    if [[ -z $index ]]; then continue; fi
    out+="$sep{\"index\": $(hpcb_json_str "$(hpcb_trim "$index")"), \"name\": $(hpcb_json_str "$(hpcb_trim "$name")"), \"driver_version\": $(hpcb_json_str "$(hpcb_trim "$driver")"), \"uuid\": $(hpcb_json_str "$(hpcb_trim "$uuid")"), \"memory_total_mib\": $(hpcb_json_str "$(hpcb_trim "$memory")")}"
    sep=', '
  done <<<"$rows"
  printf '[%s]' "$out"
}

hpcb_slurm_env_json() {
  local out='' sep='' name
  while IFS= read -r name; do
    if [[ $name == SLURM_* ]]; then
      out+="$sep$(hpcb_json_str "$name"): $(hpcb_json_str "${!name}")"
      sep=', '
    fi
  done < <(compgen -e | LC_ALL=C sort)
  printf '%s%s%s' '{' "$out" '}'
}

# SLURM counts the times this job was requeued; a workload reads it as HPCBENCH_RESTART_COUNT.
hpcb_restart=${SLURM_RESTART_COUNT:-0}
if [[ ! $hpcb_restart =~ ^[0-9]+$ ]]; then hpcb_restart=0; fi
export HPCBENCH_RESTART_COUNT=$hpcb_restart

# A UTC timestamp into the variable named $1 (printf's own clock: no date process, no $(...)).
hpcb_now() {
  local TZ=UTC
  printf -v "$1" '%(%Y-%m-%dT%H:%M:%SZ)T' -1
}

# Seconds since the epoch into the variable named $1 (bash 4.2 has no EPOCHSECONDS).
hpcb_epoch() {
  printf -v "$1" '%(%s)T' -1
}

hpcb_log() {
  local now
  hpcb_now now
  printf 'hpcbench: %s %s\n' "${now:11:8}" "$*" >&2
}

# The script's sha256 as manifest.json records it (render wrote it; the script cannot hold its own hash).
hpcb_manifest_sha256_json() {
  local manifest="$HPCBENCH_RUN_DIR/manifest.json" line found=0
  if [[ -r $manifest ]]; then
    while IFS= read -r line; do
      if [[ $line == *'"script": '"$hpcb_script_json"* ]]; then
        found=1
      elif ((found)) && [[ $line =~ \"sha256\":\ \"([0-9a-f]{64})\" ]]; then
        printf '"%s"' "${BASH_REMATCH[1]}"
        return 0
      fi
    done <"$manifest"
  fi
  printf 'null'
}

# metadata.json: written at start (again after a requeue), via a temp file so readers never see half of it.
hpcb_write_metadata() {
  local file="$HPCBENCH_OUT_DIR/metadata.json"
  {
    printf '{\n'
    printf '  "schema": "hpcbench.metadata/1",\n'
    printf '  "run_id": %s,\n' "$(hpcb_json_str "$HPCBENCH_RUN_ID")"
    printf '  "experiment": %s,\n' "$(hpcb_json_str "$HPCBENCH_EXPERIMENT")"
    printf '  "task": %s,\n' "$(hpcb_json_str "$HPCBENCH_TASK")"
    printf '  "job_id": %s,\n' "$(hpcb_json_var SLURM_JOB_ID)"
    printf '  "array_job_id": %s,\n' "$(hpcb_json_var SLURM_ARRAY_JOB_ID)"
    printf '  "array_task_id": %s,\n' "$(hpcb_json_var SLURM_ARRAY_TASK_ID)"
    printf '  "restart_count": %s,\n' "$hpcb_restart"
    printf '  "hostname": %s,\n' "$(hpcb_json_str "$(hostname)")"
    printf '  "nodes": %s,\n' "$(hpcb_nodes_json)"
    printf '  "start_time": %s,\n' "$(hpcb_json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
    printf '  "cuda_visible_devices": %s,\n' "$(hpcb_json_var CUDA_VISIBLE_DEVICES)"
    printf '  "gpus": %s,\n' "$(hpcb_gpus_json)"
    # GPU jobs: the PyTorch the job found, and the allocator variables set for it.
    printf '  "torch_version": %s,\n' "$(hpcb_json_nonempty hpcb_torch_version)"
    printf '  "allocator_env": %s,\n' "$(hpcb_json_nonempty hpcb_alloc_vars)"
    printf '  "allocator_conf": %s,\n' "$(hpcb_json_nonempty hpcb_alloc_conf)"
    printf '  "gpu_fields": %s,\n' '["timestamp","index","uuid","pci.bus_id","name","driver_version","utilization.gpu","utilization.memory","memory.used","memory.total","power.draw","temperature.gpu","clocks.sm","clocks.mem"]'
    printf '  "gpu_interval_ms": %s,\n' 1000
    # In a batch job $0 is slurmd's copy of the script: all three hashes agree unless it was edited.
    printf '  "script": {"path": %s, "sha256_manifest": %s, "sha256_running": %s, "sha256_run_dir": %s},\n' \
      "$hpcb_script_json" "$(hpcb_manifest_sha256_json)" "$(hpcb_sha256_json "$0")" "$(hpcb_sha256_json "$hpcb_script_path")"
    printf '  "parameters": %s,\n' "$HPCBENCH_PARAMS_JSON"
    printf '  "slurm": %s\n' "$(hpcb_slurm_env_json)"
    printf '}\n'
  } >"$file.tmp"
  mv -f "$file.tmp" "$file"
}

hpcb_sidecar_pid=''
hpcb_signal=''
hpcb_requeued=false
hpcb_stop_reason=''
hpcb_workload_pid=''
hpcb_term_grace=20

# Is process $1 still running? A zombie is not: an orphan may wait a moment to be reaped.
# Every return here names its status: a bare `return` in code run from a trap returns the status
# of the command the trap interrupted.
hpcb_alive() {
  local stat rest
  if [[ -r /proc/$1/stat ]]; then
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    rest=${stat##*) }
    if [[ ${rest:0:1} == Z ]]; then return 1; fi
    return 0
  fi
  if kill -0 "$1" 2>/dev/null; then return 0; fi
  return 1
}

# The workload's processes into hpcb_tree: the background subshell, everything it started, however
# deep (python children, torchrun's agent and workers, srun), and whatever is left in its process
# group. Read from /proc, so processes that moved to a session of their own are found too.
hpcb_collect_tree() {
  local root=$1 stat file pid rest ppid pgrp changed
  local -A parent=() member=()
  hpcb_tree=()
  [[ -n $root ]] || return 0
  if [[ ! -d /proc/$root ]]; then
    if kill -0 "$root" 2>/dev/null; then hpcb_tree=("$root"); fi
    return 0
  fi
  for file in /proc/[0-9]*/stat; do
    read -r stat 2>/dev/null <"$file" || continue
    pid=${stat%% *}
    rest=${stat##*) }
    read -r _ ppid pgrp _ <<<"$rest"
    parent[$pid]=$ppid
    if [[ $pgrp == "$root" && $pid != "$$" ]]; then member[$pid]=1; fi
  done
  member[$root]=1
  changed=1
  while ((changed)); do
    changed=0
    for pid in "${!parent[@]}"; do
      if [[ -z ${member[$pid]:-} && -n ${member[${parent[$pid]}]:-} ]]; then
        member[$pid]=1
        changed=1
      fi
    done
  done
  for pid in "${!member[@]}"; do
    if [[ $pid != "$$" ]] && hpcb_alive "$pid"; then hpcb_tree+=("$pid"); fi
  done
}

# Sends signal $1 to every process of the workload, once each.
hpcb_signal_workload() {
  local pid
  hpcb_collect_tree "$hpcb_workload_pid"
  for pid in ${hpcb_tree[@]+"${hpcb_tree[@]}"}; do kill -s "$1" "$pid" 2>/dev/null || :; done
}

# Waits until none of the processes in hpcb_tree runs any more, at most $1 seconds; the seconds
# waited go into hpcb_waited and hpcb_tree keeps those still running.
hpcb_wait_tree() {
  local limit=$1 start now pid left
  hpcb_epoch start
  hpcb_waited=0
  while :; do
    left=()
    for pid in ${hpcb_tree[@]+"${hpcb_tree[@]}"}; do
      if hpcb_alive "$pid"; then left+=("$pid"); fi
    done
    hpcb_tree=(${left[@]+"${left[@]}"})
    hpcb_epoch now
    ((hpcb_waited = now - start)) || :
    if [[ -z ${hpcb_tree[*]-} ]] || ((hpcb_waited >= limit)); then return 0; fi
    sleep 0.5 || :
  done
}

# exit.json and the sidecar's end, whatever way the script ends. No $(...) here: see hpcb_json_quote.
hpcb_on_exit() {
  local rc=$? end signal_json stop_json
  set +e
  if [[ -n $hpcb_sidecar_pid ]]; then
    kill "$hpcb_sidecar_pid" 2>/dev/null
    wait "$hpcb_sidecar_pid" 2>/dev/null
  fi
  hpcb_now end
  signal_json=null
  if [[ -n $hpcb_signal ]]; then hpcb_json_quote signal_json "$hpcb_signal"; fi
  stop_json=null
  if [[ -n $hpcb_stop_reason ]]; then hpcb_json_quote stop_json "$hpcb_stop_reason"; fi
  printf '{"exit_code": %s, "end_time": "%s", "restart_count": %s, "signal": %s, "requeued": %s, "stop_reason": %s}\n' \
    "$rc" "$end" "$hpcb_restart" "$signal_json" "$hpcb_requeued" "$stop_json" \
    >"$HPCBENCH_OUT_DIR/exit.json.tmp" && mv -f "$HPCBENCH_OUT_DIR/exit.json.tmp" "$HPCBENCH_OUT_DIR/exit.json"
  exit "$rc"
}
trap hpcb_on_exit EXIT

# scancel, the time limit and preemption send SIGTERM to every process of the job. Pass it on to
# the workload's processes too (they may have left the job's process tracking), give them
# 20 s to save and exit, and record it in exit.json. Without this trap bash would run the
# EXIT trap with a status of 0. A second TERM while waiting is ignored.
hpcb_on_term() {
  trap '' TERM
  if [[ $hpcb_requeued == true ]]; then exit 0; fi
  hpcb_signal=TERM
  hpcb_log "SIGTERM: passing it to the workload and waiting up to ${hpcb_term_grace} s for it to exit"
  hpcb_signal_workload TERM
  hpcb_wait_tree "$hpcb_term_grace"
  if [[ -z ${hpcb_tree[*]-} ]]; then
    hpcb_log "the workload exited ${hpcb_waited} s after SIGTERM"
  else
    hpcb_log "the workload is still running ${hpcb_waited} s after SIGTERM; SLURM kills what is left"
  fi
  hpcb_on_term_recorded
  exit 143
}
trap hpcb_on_term TERM

# Replaced by the checkpoint section, which records the TERM in checkpoints.jsonl.
hpcb_on_term_recorded() { :; }

# --- GPU sampling ----------------------------------------------------------------------------------
# nvidia-smi in the background, one CSV line per GPU per interval; the EXIT trap stops it.
hpcb_start_sidecar() {
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    echo "hpcbench: nvidia-smi not found on $(hostname): GPU sampling skipped, the job goes on" >&2
    return 0
  fi
  LC_ALL=C nvidia-smi --query-gpu=timestamp,index,uuid,pci.bus_id,name,driver_version,utilization.gpu,utilization.memory,memory.used,memory.total,power.draw,temperature.gpu,clocks.sm,clocks.mem --format=csv,noheader,nounits -l 1 \
    >>"$HPCBENCH_OUT_DIR/nvidia-smi.csv" 2>>"$HPCBENCH_OUT_DIR/nvidia-smi.err" &
  hpcb_sidecar_pid=$!
}


# --- checkpoint and requeue ----------------------------------------------------------------------
# SLURM sends SIGUSR1 300 s before the time limit (--signal=B:…, to this shell only;
# up to a minute earlier, as SLURM checks limits about once a minute). The trap passes it to every
# process of the workload, waits up to 60 s for those processes themselves to exit (not for a
# wrapper shell), and then puts the job back in the queue, unless the restarts are used up or the
# last attempt left the checkpoint directory as it found it. Each signal is recorded in
# checkpoints.jsonl. The contract for workloads: docs/checkpointing.md.
# The handlers use no $(...): on bash 5.2 a command substitution re-parsed inside a trap that
# interrupted `wait` can fail with "unexpected EOF while looking for matching `)'".
export HPCBENCH_CHECKPOINT_SIGNAL=USR1
export HPCBENCH_CHECKPOINT_GRACE_S=60
export HPCBENCH_TERM_GRACE_S=20
hpcb_max_restarts=10
hpcb_ckpt_fp_start=unknown
hpcb_exit_override=''

# A fingerprint of the checkpoint directory (names, sizes, modification times) into hpcb_fp, or
# "unknown" when it cannot be listed.
hpcb_checkpoint_fingerprint() {
  local tmp="$HPCBENCH_OUT_DIR/.checkpoint-fingerprint.$$"
  hpcb_fp=unknown
  if (cd "$HPCBENCH_CHECKPOINT_DIR" && find . -printf '%p %s %T@\n' | LC_ALL=C sort | cksum) >"$tmp" 2>/dev/null; then
    read -r hpcb_fp 2>/dev/null <"$tmp" || hpcb_fp=unknown
  fi
  rm -f "$tmp" 2>/dev/null || :
}

# Does the checkpoint directory hold nothing at all?
hpcb_checkpoint_dir_empty() {
  local f
  for f in "$HPCBENCH_CHECKPOINT_DIR"/* "$HPCBENCH_CHECKPOINT_DIR"/.[!.]*; do
    if [[ -e $f || -L $f ]]; then return 1; fi
  done
  return 0
}

# Whether the previous attempt changed the checkpoint directory (its line in checkpoints.jsonl),
# into hpcb_prev_changed: true, false, null, or unknown when there is no such line.
hpcb_previous_attempt_changed() {
  local line='' last='' re='"restart": *([0-9]+),.*"checkpoint_changed": *(true|false|null)'
  hpcb_prev_changed=unknown
  if [[ ! -r $HPCBENCH_OUT_DIR/checkpoints.jsonl ]]; then return 0; fi
  while IFS= read -r line || [[ -n $line ]]; do last=$line; done <"$HPCBENCH_OUT_DIR/checkpoints.jsonl"
  if [[ $last =~ $re ]] && ((BASH_REMATCH[1] + 1 == hpcb_restart)); then hpcb_prev_changed=${BASH_REMATCH[2]}; fi
  return 0
}

# One line of checkpoints.jsonl: restart, signal, seconds waited, what was done and why.
hpcb_record_checkpoint_event() {
  local action=$1 code=$2 reason=$3 exited=$4 exit_code=$5 changed=$6 at reason_json
  hpcb_now at
  hpcb_json_quote reason_json "$reason"
  printf '{"schema": "hpcbench.checkpoint-event/1", "restart": %s, "signal": "%s", "at": "%s", "grace_s": %s, "waited_s": %s, "workload_exited": %s, "workload_exit_code": %s, "checkpoint_changed": %s, "action": "%s", "reason_code": "%s", "reason": %s}\n' \
    "$hpcb_restart" "$hpcb_signal" "$at" "$hpcb_grace_used" "$hpcb_waited" "$exited" "$exit_code" "$changed" "$action" "$code" "$reason_json" \
    >>"$HPCBENCH_OUT_DIR/checkpoints.jsonl" 2>/dev/null || :
}

# The workload's exit status once it has ended (bash keeps it for `wait`), or null.
hpcb_workload_status() {
  local rc=0
  hpcb_status=null
  if [[ -n $hpcb_workload_pid ]] && ! hpcb_alive "$hpcb_workload_pid"; then
    wait "$hpcb_workload_pid" 2>/dev/null || rc=$?
    hpcb_status=$rc
  fi
}

# Ends the job without a requeue: $1 the exit code, $2 the reason code, $3 the message.
hpcb_stop_requeueing() {
  hpcb_stop_reason=$2
  hpcb_log "not requeueing: $3"
  hpcb_record_checkpoint_event stopped "$2" "$3" "$hpcb_exited" "$hpcb_status" "$hpcb_changed"
  # A workload still running after the grace goes on: it may finish, or the time limit ends it.
  if [[ $hpcb_exited == true ]]; then hpcb_exit_override=$1; fi
}

hpcb_on_checkpoint_signal() {
  local fp
  hpcb_signal=USR1
  hpcb_grace_used=$HPCBENCH_CHECKPOINT_GRACE_S
  hpcb_log "SIG$hpcb_signal: asking the workload to checkpoint (restart $hpcb_restart; waiting up to ${hpcb_grace_used} s)"
  hpcb_signal_workload "$hpcb_signal"
  hpcb_wait_tree "$hpcb_grace_used"
  hpcb_exited=true
  if [[ -n ${hpcb_tree[*]-} ]]; then hpcb_exited=false; fi
  hpcb_workload_status
  if [[ $hpcb_exited == true ]]; then
    hpcb_log "the workload exited ${hpcb_waited} s after SIG$hpcb_signal (status $hpcb_status): its checkpoint took ${hpcb_waited} s"
  else
    hpcb_log "the workload is still running ${hpcb_waited} s after SIG$hpcb_signal: it did not stop for the checkpoint signal"
  fi
  hpcb_checkpoint_fingerprint
  fp=$hpcb_fp
  hpcb_changed=null
  if [[ $fp != unknown && $hpcb_ckpt_fp_start != unknown ]]; then
    if [[ $fp == "$hpcb_ckpt_fp_start" ]]; then hpcb_changed=false; else hpcb_changed=true; fi
  fi
  # An attempt that changed nothing stops the requeues when nothing was ever saved, or when the
  # attempt before it changed nothing either; once alone it may be a signal that came moments
  # after the start (SLURM sends it up to a minute early), before a step could finish.
  if [[ $hpcb_changed == false ]]; then
    hpcb_previous_attempt_changed
    if hpcb_checkpoint_dir_empty; then
      hpcb_stop_requeueing 93 no-progress "no progress since restart $hpcb_restart: nothing was ever written to the checkpoint directory ($HPCBENCH_CHECKPOINT_DIR)"
      return 0
    fi
    if [[ $hpcb_prev_changed == false ]]; then
      local previous
      ((previous = hpcb_restart - 1)) || :
      hpcb_stop_requeueing 93 no-progress "no progress since restart $previous: the checkpoint directory did not change during restarts $previous and $hpcb_restart ($HPCBENCH_CHECKPOINT_DIR)"
      return 0
    fi
    hpcb_log "the checkpoint directory did not change during this attempt; requeueing once more (a second attempt without progress ends the job)"
  fi
  if ((hpcb_restart >= hpcb_max_restarts)); then
    hpcb_stop_requeueing 92 max-restarts "restart limit reached: the job was requeued $hpcb_restart times (checkpoint.max_restarts: $hpcb_max_restarts)"
    return 0
  fi
  if [[ -z ${SLURM_JOB_ID:-} ]] || ! command -v scontrol >/dev/null 2>&1; then
    hpcb_stop_requeueing 91 requeue-failed "cannot requeue outside SLURM (no SLURM_JOB_ID or no scontrol here): run it again to resume from $HPCBENCH_CHECKPOINT_DIR"
    return 0
  fi
  local next
  ((next = hpcb_restart + 1)) || :
  hpcb_log "requeueing job $SLURM_JOB_ID (restart $next of at most $hpcb_max_restarts)"
  # slurmctld ends this attempt with SIGTERM as soon as it accepts the requeue, often before
  # scontrol returns: the TERM waits until the requeue is recorded, then ends the script.
  hpcb_term_held=false
  trap 'hpcb_term_held=true' TERM
  if scontrol requeue "$SLURM_JOB_ID" 2>"$HPCBENCH_OUT_DIR/.requeue-error.$$" >/dev/null; then
    hpcb_requeued=true
    hpcb_record_checkpoint_event requeued requeued "requeued (restart $next of at most $hpcb_max_restarts)" "$hpcb_exited" "$hpcb_status" "$hpcb_changed"
    hpcb_exit_override=0
  else
    local msg=''
    read -r msg 2>/dev/null <"$HPCBENCH_OUT_DIR/.requeue-error.$$" || msg=''
    hpcb_stop_requeueing 91 requeue-failed "scontrol requeue failed${msg:+ ($msg)}; the work done so far is in $HPCBENCH_CHECKPOINT_DIR: resubmit to resume"
    # A workload still running would otherwise carry on past a failed requeue as if nothing happened.
    hpcb_exit_override=91
  fi
  rm -f "$HPCBENCH_OUT_DIR/.requeue-error.$$" 2>/dev/null || :
  trap hpcb_on_term TERM
  if [[ $hpcb_term_held == true ]]; then hpcb_on_term; fi
}
trap hpcb_on_checkpoint_signal USR1

# A TERM (scancel, the time limit, preemption) is recorded next to the checkpoint signals.
hpcb_on_term_recorded() {
  local exited=true how='exited after'
  if [[ -n ${hpcb_tree[*]-} ]]; then exited=false how='was still running after'; fi
  hpcb_grace_used=$hpcb_term_grace
  hpcb_workload_status
  hpcb_record_checkpoint_event ended terminated "SIGTERM (scancel, time limit or preemption): the workload $how ${hpcb_waited} s" "$exited" "$hpcb_status" null
}

# --- setup (cluster, then experiment), verbatim from the config ------------------------------------
# Environment modules and conda activation scripts read unset variables: relax `set -u` meanwhile.
set +u
module load python/3.10_sequana
source /scratch/proj/alice/venv/bin/activate
set -u

# --- Hugging Face, offline -----------------------------------------------------------------------
# Compute nodes have no internet: models and datasets come from the cache that
# scripts/prefetch-hf.sh filled on a login or transfer node.
export HF_HOME=/scratch/proj/alice/hf-cache
export HF_HUB_CACHE="$HF_HOME/hub"
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export HF_DATASETS_OFFLINE=1
# PyTorch's allocator setting (expandable segments reduce fragmentation OOMs) goes through the
# variable the job's own PyTorch reads: before 2.8 only PYTORCH_CUDA_ALLOC_CONF; 2.8 renamed it
# PYTORCH_ALLOC_CONF, but up to 2.10 CUDA still ignores expandable_segments there
# (pytorch/pytorch#183387) while the old name works; from 2.11 the new name alone. The version is
# asked once of the python the setup lines put first on PATH (bounded; no python or no torch is
# fine: then both names are set). A value set by the cluster or the experiment env wins.
hpcb_alloc_conf="${PYTORCH_ALLOC_CONF:-${PYTORCH_CUDA_ALLOC_CONF:-expandable_segments:True}}"
hpcb_torch_version=''
hpcb_python=''
if command -v python >/dev/null 2>&1; then hpcb_python=python; elif command -v python3 >/dev/null 2>&1; then hpcb_python=python3; fi
if [[ -n $hpcb_python ]]; then
  hpcb_torch_version=$(timeout 60 "$hpcb_python" -c 'import torch; print(torch.__version__)' 2>/dev/null </dev/null | tail -n 1) || hpcb_torch_version=''
fi
if [[ $hpcb_torch_version =~ ^([0-9]+)\.([0-9]+) ]]; then
  hpcb_torch_minor=$((BASH_REMATCH[1] * 1000 + BASH_REMATCH[2]))
  if ((hpcb_torch_minor < 2008)); then
    hpcb_alloc_vars=PYTORCH_CUDA_ALLOC_CONF
  elif ((hpcb_torch_minor < 2011)); then
    hpcb_alloc_vars='PYTORCH_ALLOC_CONF PYTORCH_CUDA_ALLOC_CONF'
  else
    hpcb_alloc_vars=PYTORCH_ALLOC_CONF
  fi
else
  hpcb_torch_version=''
  hpcb_alloc_vars='PYTORCH_ALLOC_CONF PYTORCH_CUDA_ALLOC_CONF'
fi
unset PYTORCH_ALLOC_CONF PYTORCH_CUDA_ALLOC_CONF
for hpcb_name in $hpcb_alloc_vars; do export "$hpcb_name=$hpcb_alloc_conf"; done
echo "hpcbench: torch ${hpcb_torch_version:-not found}: allocator setting '$hpcb_alloc_conf' in $hpcb_alloc_vars" >&2

# --- environment and parameters ------------------------------------------------------------------
export TOKENIZERS_PARALLELISM=false
export lr=0.0002
export HPCBENCH_PARAM_LR=0.0002
export note='it'\''s fine'
export HPCBENCH_PARAM_NOTE='it'\''s fine'
export HPCBENCH_PARAMS_JSON='{"lr":0.0002,"note":"it'\''s fine"}'

hpcb_write_metadata
# --- environment snapshot ------------------------------------------------------------------------
# What the workload will run with, after the setup lines: loaded modules, the python first on PATH
# and the versions it imports, the NVIDIA driver, and `pip freeze` beside it. A reader of the
# results can then reproduce the run instead of trusting it. Each probe is bounded, and the whole
# snapshot runs in a subshell guarded by `|| true`, so a broken module system, a hanging import or
# `set -u` tripping in here can never fail the job: a probe that fails is null plus its reason.
# This runs before the workload, never from a trap, so command substitution is safe here.
hpcb_snapshot_environment() {
  local file="$HPCBENCH_OUT_DIR/environment.json" freeze="$HPCBENCH_OUT_DIR/pip-freeze.txt"
  local modules='null' modules_reason='null' listing='' line sep=''
  local python='null' python_reason='null' py='' py_out='' py_status=0
  local driver='null' driver_reason='null' driver_out=''
  local freeze_json='null' freeze_reason='null' freeze_status=0
  # Lmod and environment-modules both define a `module` shell function; both also keep
  # LOADEDMODULES, which is the fallback when the function did not reach the job.
  if declare -F module >/dev/null 2>&1 || command -v module >/dev/null 2>&1; then
    listing=$(module -t list 2>&1) || listing=''
  elif [[ -n ${LOADEDMODULES:-} ]]; then
    listing=${LOADEDMODULES//:/$'\n'}
  fi
  if declare -F module >/dev/null 2>&1 || command -v module >/dev/null 2>&1 || [[ -n ${LOADEDMODULES:-} ]]; then
    modules='['
    while IFS= read -r line; do
      line=$(hpcb_trim "$line")
      # Headers ("Currently Loaded Modules:") and "No modules loaded" are not module names.
      if [[ -z $line || $line == *: || $line == 'No modules loaded' ]]; then continue; fi
      modules+="$sep$(hpcb_json_str "$line")"
      sep=', '
    done <<<"$listing"
    modules+=']'
  else
    modules_reason=$(hpcb_json_str 'no module command and no LOADEDMODULES in the job environment')
  fi

  if command -v python >/dev/null 2>&1; then py=python; elif command -v python3 >/dev/null 2>&1; then py=python3; fi
  if [[ -z $py ]]; then
    python_reason=$(hpcb_json_str 'no python or python3 on PATH after the setup lines')
  else
    # One bounded call: the python prints one line, prefixed so that whatever an import prints
    # to stdout is not mistaken for it.
    py_out=$(timeout 60 "$py" - 2>/dev/null <<'HPCB_PY'
import json, platform, sys
out = {"executable": sys.executable, "version": platform.python_version()}
def probe(name):
    try:
        module = __import__(name)
    except BaseException as error:
        out[name], out[name + "_reason"] = None, "%s: %s" % (type(error).__name__, error)
        return None
    out[name], out[name + "_reason"] = str(getattr(module, "__version__", "unknown")), None
    return module
torch = probe("torch")
out["cuda"], out["cuda_reason"], out["cuda_available"], out["devices"] = None, "torch is not importable", None, None
if torch is not None:
    try:
        out["cuda"] = torch.version.cuda
        out["cuda_reason"] = None if torch.version.cuda else "torch was built without CUDA"
        out["cuda_available"] = bool(torch.cuda.is_available())
        out["devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if out["cuda_available"] else []
    except BaseException as error:
        out["cuda_reason"] = "%s: %s" % (type(error).__name__, error)
for name in ("transformers", "peft", "accelerate"):
    probe(name)
sys.stdout.write("HPCBENCH_ENV_JSON " + json.dumps(out) + "\n")
HPCB_PY
    ) || py_status=$?
    line=''
    while IFS= read -r listing; do
      if [[ $listing == 'HPCBENCH_ENV_JSON {'*'}' ]]; then line=${listing#HPCBENCH_ENV_JSON }; fi
    done <<<"$py_out"
    if [[ -n $line ]]; then
      python=$line
    elif ((py_status == 124)); then
      python_reason=$(hpcb_json_str "$py did not answer within 60 s")
    else
      python_reason=$(hpcb_json_str "$py exited with status $py_status without printing the snapshot")
    fi
    # pip freeze beside environment.json: the exact package set, for `pip install -r`.
    timeout 120 "$py" -m pip freeze >"$freeze.tmp" 2>/dev/null </dev/null || freeze_status=$?
    if ((freeze_status == 0)); then
      mv -f "$freeze.tmp" "$freeze"
      freeze_json=$(hpcb_json_str 'pip-freeze.txt')
    else
      rm -f "$freeze.tmp"
      freeze_reason=$(hpcb_json_str "$py -m pip freeze exited with status $freeze_status")
    fi
  fi
  if [[ -z $py ]]; then freeze_reason=$(hpcb_json_str 'no python to run pip freeze'); fi

  if command -v nvidia-smi >/dev/null 2>&1; then
    # The same query as metadata.json's GPU list, so a cluster's wrapper or stub answers it alike.
    driver_out=$(LC_ALL=C timeout 30 nvidia-smi --query-gpu=index,name,driver_version,uuid,memory.total --format=csv,noheader,nounits 2>/dev/null </dev/null) || driver_out=''
    IFS=, read -r _ _ driver_out _ <<<"$driver_out" || driver_out=''
    driver_out=$(hpcb_trim "$driver_out")
    if [[ $driver_out =~ ^[0-9][0-9.]*$ ]]; then
      driver=$(hpcb_json_str "$driver_out")
    else
      driver_reason=$(hpcb_json_str 'nvidia-smi gave no driver version')
    fi
  else
    driver_reason=$(hpcb_json_str 'nvidia-smi not on PATH')
  fi

  {
    printf '{\n'
    printf '  "schema": "hpcbench.environment/1",\n'
    printf '  "captured_at": %s,\n' "$(hpcb_json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
    printf '  "modules": %s,\n' "$modules"
    printf '  "modules_reason": %s,\n' "$modules_reason"
    printf '  "python": %s,\n' "$python"
    printf '  "python_reason": %s,\n' "$python_reason"
    printf '  "nvidia_driver": %s,\n' "$driver"
    printf '  "nvidia_driver_reason": %s,\n' "$driver_reason"
    printf '  "pip_freeze": %s,\n' "$freeze_json"
    printf '  "pip_freeze_reason": %s\n' "$freeze_reason"
    printf '}\n'
  } >"$file.tmp"
  mv -f "$file.tmp" "$file"
}
(hpcb_snapshot_environment) || echo "hpcbench: the environment snapshot failed; the job goes on without it" >&2
# GPU sampling into nvidia-smi.csv (fields in metadata.json), stopped by the EXIT trap.
hpcb_start_sidecar

# The workload: the experiment's `command`, verbatim.
hpcb_workload() {
python workloads/train.py --epochs 1
}

# `wait` returns early when a trapped signal arrives; keep waiting until the workload is gone.
hpcb_wait_workload() {
  local rc=0
  wait "$hpcb_workload_pid" || rc=$?
  while hpcb_alive "$hpcb_workload_pid"; do
    rc=0
    wait "$hpcb_workload_pid" || rc=$?
  done
  # A status above 128 may be the interrupted wait's, not the workload's; bash still knows the latter.
  if ((rc > 128)); then
    rc=0
    wait "$hpcb_workload_pid" || rc=$?
  fi
  return "$rc"
}
# Relative paths in the command resolve against the uploaded files (same layout as the project).
if [[ -d $HPCBENCH_FILES_DIR ]]; then cd "$HPCBENCH_FILES_DIR"; fi
hpcb_checkpoint_fingerprint
hpcb_ckpt_fp_start=$hpcb_fp
# Job control on for one line: the workload gets its own process group. It runs in the background
# so that bash can run traps meanwhile. The subshell around it traps the forwarded signals: it
# waits for the command that is running, then leaves without starting the next one, so it never
# dies ahead of the workload (its commands get the default actions back, as traps are reset by exec).
set -m
{
  trap 'exit $?' USR1 TERM
  hpcb_workload
} </dev/null &
hpcb_workload_pid=$!
set +m
hpcb_rc=0
hpcb_wait_workload || hpcb_rc=$?
# After the checkpoint signal the job's outcome is the requeue (0) or why there was none (90-93).
if [[ -n $hpcb_exit_override ]]; then hpcb_rc=$hpcb_exit_override; fi
exit "$hpcb_rc"
