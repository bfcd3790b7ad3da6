#!/usr/bin/env python3
"""LoRA fine-tuning of a causal LM (transformers + peft) that survives preemption and time limits.

- Reads the base model and its tokenizer from the offline Hugging Face cache (HF_HUB_OFFLINE=1 on
  compute nodes), or with --random-init builds a tiny GPT-2 and a word-level tokenizer of the
  training file on the spot (workloads/local_models.py): nothing is read from a cache or downloaded.
- Checkpoints every --save-steps steps and every --save-every-pct % of the steps into
  $HPCBENCH_CHECKPOINT_DIR (or --checkpoint-dir), atomically, keeping the latest two. A checkpoint
  holds the adapter, optimizer, scheduler and random states (Python, torch, CUDA), and the step,
  from which the data order follows (one permutation per epoch, drawn from seed + epoch).
- Resumes from the latest complete checkpoint when one exists (the job was requeued), so that a
  run interrupted and resumed logs exactly the losses of an uninterrupted one (same --threads).
- On SIGTERM, SIGUSR1 or $HPCBENCH_CHECKPOINT_SIGNAL (sent by the job script before the time
  limit) it finishes the current step, saves a checkpoint and exits with code 0; the job script
  requeues the job. See docs/checkpointing.md.
- Writes one JSON line per logged step to $HPCBENCH_TRAINING_LOG (train.jsonl):
  {"step", "epoch", "loss", "learning_rate", "step_time_s", "samples_per_s", "tokens_per_s", "time"},
  and with --val a last line {"step", "epoch", "eval_loss", "time"}.
"""

import argparse
import functools
import math
import os
import random
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hpcbench_log import JsonlWriter, out_path, read_lines  # noqa: E402

PREFIX = "step-"
STATE_FILE = "state.pt"
KEEP = 2


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="distilgpt2")
    p.add_argument("--train", required=True, help="text file, one example per line")
    p.add_argument("--val", help="validation text file; its mean loss is logged at the end")
    p.add_argument("--epochs", type=float, default=3.0)
    p.add_argument("--max-steps", type=int, default=None, help="train this many steps instead of --epochs")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--lora-r", type=int, default=8)
    p.add_argument("--lora-alpha", type=int, default=16)
    p.add_argument("--lora-dropout", type=float, default=0.05)
    p.add_argument("--save-steps", type=int, default=50, help="checkpoint every N steps (0: never)")
    p.add_argument("--save-every-pct", type=float, default=None, help="checkpoint every N %% of the total steps")
    p.add_argument("--log-steps", type=int, default=5)
    p.add_argument("--checkpoint-dir", default=None)
    p.add_argument("--output-dir", default=None, help="where the final adapter is saved (default: <out dir>/adapter)")
    p.add_argument("--random-init", action="store_true")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--threads", type=int, default=int(os.environ.get("SLURM_CPUS_PER_TASK") or 1),
                   help="torch CPU threads (default: $SLURM_CPUS_PER_TASK, else 1)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.save_every_pct is not None and not 0 < args.save_every_pct <= 100:
        p.error("--save-every-pct must be in (0, 100]")
    return args


class StopRequest:
    """Remembers a checkpoint or termination signal; the training loop acts on it between steps."""

    def __init__(self):
        self.signum = None
        names = {"TERM", "USR1", os.environ.get("HPCBENCH_CHECKPOINT_SIGNAL", "USR1").removeprefix("SIG")}
        for name in names:
            signal.signal(signal.Signals["SIG" + name], self.handle)

    def handle(self, signum, _frame):
        self.signum = signum
        print(f"train_lora.py: {signal.Signals(signum).name} received; checkpointing after this step", file=sys.stderr, flush=True)

    def __bool__(self):
        return self.signum is not None


def complete_checkpoints(directory):
    """(step, path) of the complete checkpoints, oldest first; an interrupted save is a hidden *.tmp."""
    found = []
    for name in os.listdir(directory):
        number = name[len(PREFIX):]
        if name.startswith(PREFIX) and number.isdigit() and os.path.isfile(os.path.join(directory, name, STATE_FILE)):
            found.append((int(number), os.path.join(directory, name)))
    return sorted(found)


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_checkpoint(directory, step, state):
    """Writes step-N/ through a temporary directory and a rename, so that a kill mid-write leaves
    the previous checkpoints intact; then removes all but the latest KEEP."""
    import torch

    final = os.path.join(directory, f"{PREFIX}{step}")
    if not os.path.isdir(final):  # else saved already, e.g. a signal right after a periodic save
        tmp = tempfile.mkdtemp(prefix=f".{PREFIX}{step}.", suffix=".tmp", dir=directory)
        torch.save(state, os.path.join(tmp, STATE_FILE))
        fsync_path(os.path.join(tmp, STATE_FILE))
        fsync_path(tmp)
        os.replace(tmp, final)
        fsync_path(directory)
    for _, old in complete_checkpoints(directory)[:-KEEP]:
        shutil.rmtree(old)
    return final


def load_checkpoint(directory, device):
    """The state of the latest complete checkpoint and its path, or (None, None); leftovers of an
    interrupted save are removed."""
    import torch

    for name in os.listdir(directory):
        if name.startswith(f".{PREFIX}") and name.endswith(".tmp"):
            shutil.rmtree(os.path.join(directory, name))
    checkpoints = complete_checkpoints(directory)
    if not checkpoints:
        return None, None
    path = checkpoints[-1][1]
    return torch.load(os.path.join(path, STATE_FILE), map_location=device, weights_only=True), path


def random_states(device):
    import torch

    return {"python": random.getstate(), "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if device == "cuda" else []}


def restore_random_states(states):
    import torch

    random.setstate(states["python"])
    torch.set_rng_state(states["torch"].cpu())
    if states["cuda"]:
        torch.cuda.set_rng_state_all([s.cpu() for s in states["cuda"]])


def build_model(args, texts, device):
    """Tokenizer, LoRA-wrapped model; the base weights are the same in every run (cache or seed)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from local_models import local_tokenizer, tiny_gpt2

    if args.random_init:
        tokenizer = local_tokenizer(texts)
        base, targets = tiny_gpt2(tokenizer, args.max_length, args.seed), ["c_attn"]
    else:
        try:
            tokenizer = AutoTokenizer.from_pretrained(args.model, local_files_only=True)
            base = AutoModelForCausalLM.from_pretrained(args.model, local_files_only=True)
        except OSError:
            sys.exit(f"{args.model!r} is not in the offline Hugging Face cache; run the prefetch script on a node with internet, or pass --random-init")
        targets = None  # peft knows the attention projections of common architectures
        tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
    torch.manual_seed(args.seed)  # the LoRA matrices' initial values (overwritten on resume)
    lora = LoraConfig(r=args.lora_r, lora_alpha=args.lora_alpha, lora_dropout=args.lora_dropout, task_type="CAUSAL_LM", target_modules=targets)
    return tokenizer, get_peft_model(base, lora).to(device)


def encode(tokenizer, texts, max_length):
    encoded = tokenizer(texts, truncation=True, max_length=max_length, padding="longest", return_tensors="pt")
    labels = encoded["input_ids"].masked_fill(encoded["attention_mask"] == 0, -100)
    return encoded["input_ids"], encoded["attention_mask"], labels


def main(argv=None):
    stop = StopRequest()  # before the slow imports: an early signal must not kill the process
    args = parse_args(argv)
    import torch
    from peft import get_peft_model_state_dict, set_peft_model_state_dict

    from local_models import use_deterministic_cpu

    use_deterministic_cpu(args.threads)
    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else ("cpu" if args.device == "auto" else args.device)
    checkpoint_dir = args.checkpoint_dir or os.environ.get("HPCBENCH_CHECKPOINT_DIR") or os.path.join(os.environ.get("HPCBENCH_OUT_DIR", "."), "checkpoints")
    os.makedirs(checkpoint_dir, exist_ok=True)

    texts = read_lines(args.train)
    tokenizer, model = build_model(args, texts, device)
    input_ids, attention_mask, labels = encode(tokenizer, texts, args.max_length)
    n = len(texts)
    steps_per_epoch = math.ceil(n / args.batch_size)
    total_steps = args.max_steps or max(1, int(args.epochs * steps_per_epoch))
    save_every = [args.save_steps] if args.save_steps else []
    if args.save_every_pct:
        save_every.append(math.ceil(total_steps * args.save_every_pct / 100))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1 - s / total_steps))
    # A resumed run must be the same run: a changed command would silently change the numbers.
    run = {"examples": n, "batch_size": args.batch_size, "total_steps": total_steps, "seed": args.seed, "random_init": args.random_init, "model": args.model}

    step = 0
    state, resumed_from = load_checkpoint(checkpoint_dir, device)
    if state is not None:
        if state["run"] != run:
            sys.exit(f"train_lora.py: {resumed_from} is from another run ({state['run']}), this one is {run}: "
                     "use an empty --checkpoint-dir or the original arguments")
        set_peft_model_state_dict(model, state["adapter"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        restore_random_states(state["random"])
        step = state["step"]
        print(f"train_lora.py: resumed from {resumed_from} at step {step}/{total_steps} "
              f"(restart {os.environ.get('HPCBENCH_RESTART_COUNT', os.environ.get('SLURM_RESTART_COUNT', '0'))})", file=sys.stderr, flush=True)

    def checkpoint():
        return save_checkpoint(checkpoint_dir, step, {
            "run": run, "step": step, "adapter": get_peft_model_state_dict(model), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "random": random_states(device)})

    @functools.lru_cache(maxsize=1)
    def epoch_order(epoch):
        return torch.randperm(n, generator=torch.Generator().manual_seed(args.seed + epoch))

    log = JsonlWriter(out_path("HPCBENCH_TRAINING_LOG", "train.jsonl"))
    model.train()
    window_start, window_steps, window_samples, window_tokens = time.time(), 0, 0, 0
    while step < total_steps and not stop:
        epoch, position = divmod(step, steps_per_epoch)
        idx = epoch_order(epoch)[position * args.batch_size:(position + 1) * args.batch_size]
        mask = attention_mask[idx].to(device)
        loss = model(input_ids=input_ids[idx].to(device), attention_mask=mask, labels=labels[idx].to(device)).loss
        loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        window_steps, window_samples, window_tokens = window_steps + 1, window_samples + len(idx), window_tokens + int(mask.sum())
        if step % args.log_steps == 0 or step == total_steps:
            if device == "cuda":
                torch.cuda.synchronize()
            now = time.time()
            elapsed = max(now - window_start, 1e-9)
            log.write({"step": step, "epoch": step / steps_per_epoch, "loss": loss.item(), "learning_rate": scheduler.get_last_lr()[0],
                       "step_time_s": elapsed / window_steps, "samples_per_s": window_samples / elapsed,
                       "tokens_per_s": window_tokens / elapsed, "time": now})
            window_start, window_steps, window_samples, window_tokens = now, 0, 0, 0
        if any(step % every == 0 for every in save_every) and step < total_steps:
            checkpoint()
    path = checkpoint()
    if stop and step < total_steps:
        log.close()
        print(f"train_lora.py: stopped at step {step}/{total_steps}; checkpoint {path}; the job will be requeued", file=sys.stderr, flush=True)
        return 0
    if args.val:
        val_ids, val_mask, val_labels = encode(tokenizer, read_lines(args.val), args.max_length)
        model.eval()
        with torch.no_grad():
            losses = [model(input_ids=val_ids[i:i + args.batch_size].to(device), attention_mask=val_mask[i:i + args.batch_size].to(device),
                            labels=val_labels[i:i + args.batch_size].to(device)).loss.item() for i in range(0, len(val_ids), args.batch_size)]
        log.write({"step": step, "epoch": step / steps_per_epoch, "eval_loss": sum(losses) / len(losses), "time": time.time()})
    log.close()
    output_dir = args.output_dir or os.path.join(os.environ.get("HPCBENCH_OUT_DIR", "."), "adapter")
    model.save_pretrained(output_dir)
    print(f"train_lora.py: finished {total_steps} steps; adapter saved to {output_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
