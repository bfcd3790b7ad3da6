#!/usr/bin/env bash
# hpcbench: download the Hugging Face models and datasets of run 20261124-061500-lora-5a3c into the cluster's
# cache, on a node WITH internet (login or transfer node), before submitting. Compute jobs read
# the same cache with HF_HUB_OFFLINE=1.
#
# No token is written here: for gated models run `hf auth login` (or `huggingface-cli login`) once
# on that node, or export HF_TOKEN in your shell before running this script.
set -euo pipefail

export HF_HOME=/scratch/medtechllm/student/hf-cache
export HF_HUB_CACHE="$HF_HOME/hub"
unset HF_HUB_OFFLINE TRANSFORMERS_OFFLINE HF_DATASETS_OFFLINE
mkdir -p "${HF_HOME:-$HOME/.cache/huggingface}"

# $1: repo id, $2: model or dataset. Prefers the hf / huggingface-cli command, else huggingface_hub in python3.
hpcb_fetch() {
  local id=$1 kind=$2
  echo "hpcbench: fetching $kind $id into ${HF_HUB_CACHE:-the default cache}" >&2
  if command -v hf >/dev/null 2>&1; then
    hf download --repo-type "$kind" "$id" >/dev/null
  elif command -v huggingface-cli >/dev/null 2>&1; then
    huggingface-cli download --repo-type "$kind" "$id" >/dev/null
  else
    python3 - "$id" "$kind" <<'PY'
import sys
from huggingface_hub import snapshot_download
snapshot_download(repo_id=sys.argv[1], repo_type=sys.argv[2])
PY
  fi
}

hpcb_fetch distilgpt2 model
echo "hpcbench: cache ready; submit the run now" >&2
