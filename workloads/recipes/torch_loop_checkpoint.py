#!/usr/bin/env python3
"""A plain PyTorch training loop that follows hpcbench's checkpoint contract (docs/checkpointing.md).

The job script sends $HPCBENCH_CHECKPOINT_SIGNAL (or SIGTERM) before the time limit; the loop
finishes its step, saves a checkpoint into $HPCBENCH_CHECKPOINT_DIR and exits 0; the requeued job
runs the same command and resumes from the latest complete checkpoint. An interrupted run logs
exactly the losses of an uninterrupted one: the checkpoint holds the model, optimizer, scheduler
and random states, and the data order follows from the seed, the epoch and the step.

Runs as it is on a CPU (a small network on synthetic data); replace the model, data and loss with yours.
"""

import argparse
import json
import math
import os
import re
import signal
import time

import torch

CHECKPOINT_DIR = os.environ.get("HPCBENCH_CHECKPOINT_DIR", "checkpoints")
LOG_PATH = os.environ.get("HPCBENCH_TRAINING_LOG", "train.jsonl")

stop_signal = None


def request_stop(signum, _frame):
    global stop_signal
    stop_signal = signum


# First thing: a signal that comes before its handler is set would kill the process.
for name in {"TERM", os.environ.get("HPCBENCH_CHECKPOINT_SIGNAL", "USR1").removeprefix("SIG")}:
    signal.signal(signal.Signals["SIG" + name], request_stop)


def checkpoint_steps():
    """Steps of the saved checkpoints, oldest first (saves are renamed into place: each one is whole)."""
    return sorted(int(m[1]) for m in map(re.compile(r"ckpt-(\d+)\.pt").fullmatch, os.listdir(CHECKPOINT_DIR)) if m)


def checkpoint_path(step):
    return os.path.join(CHECKPOINT_DIR, f"ckpt-{step}.pt")


def save_checkpoint(step, state, keep=2):
    """Writes ckpt-<step>.pt atomically (temporary file, fsync, rename) and keeps the latest `keep`."""
    tmp = f"{checkpoint_path(step)}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, checkpoint_path(step))
    directory = os.open(CHECKPOINT_DIR, os.O_RDONLY)
    os.fsync(directory)  # makes the rename itself durable
    os.close(directory)
    for old in checkpoint_steps()[:-keep]:
        os.remove(checkpoint_path(old))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--save-every-pct", type=float, default=10, help="checkpoint every N %% of the steps as well")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(int(os.environ.get("SLURM_CPUS_PER_TASK") or 1))  # the same in every run
    os.makedirs(CHECKPOINT_DIR, exist_ok=True)

    torch.manual_seed(args.seed)
    inputs = torch.randn(1024, 32)
    targets = inputs @ torch.randn(32, 1) + 0.1 * torch.randn(1024, 1)
    model = torch.nn.Sequential(torch.nn.Linear(32, 256), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(256, 1))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.steps)
    steps_per_epoch = math.ceil(len(inputs) / args.batch_size)
    save_every = max(1, math.ceil(args.steps * args.save_every_pct / 100))

    step = 0
    saved = checkpoint_steps()
    if saved:
        resume = checkpoint_path(saved[-1])
        state = torch.load(resume, weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])  # dropout continues where it stopped
        step = state["step"]
        print(f"resumed from {resume} at step {step} (restart {os.environ.get('HPCBENCH_RESTART_COUNT', '0')})", flush=True)

    def checkpoint():
        save_checkpoint(step, {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                               "scheduler": scheduler.state_dict(), "torch_rng": torch.get_rng_state(), "step": step})

    model.train()
    with open(LOG_PATH, "a", encoding="utf-8") as log:
        while step < args.steps and stop_signal is None:
            # The data order is a function of (seed, epoch), the position one of the step: nothing to save.
            epoch, position = divmod(step, steps_per_epoch)
            order = torch.randperm(len(inputs), generator=torch.Generator().manual_seed(args.seed + epoch))
            batch = order[position * args.batch_size:(position + 1) * args.batch_size]
            loss = torch.nn.functional.mse_loss(model(inputs[batch]), targets[batch])
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            log.write(json.dumps({"step": step, "loss": loss.item(), "learning_rate": scheduler.get_last_lr()[0], "time": time.time()}) + "\n")
            log.flush()
            if step % save_every == 0:
                checkpoint()
    if stop_signal is not None and step < args.steps:
        checkpoint()
        print(f"{signal.Signals(stop_signal).name}: checkpointed at step {step}/{args.steps}; the job will be requeued", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
