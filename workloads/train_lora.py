#!/usr/bin/env python3
"""LoRA fine-tuning of a causal LM (transformers + peft) that survives preemption.

- Reads the base model from the offline Hugging Face cache (HF_HUB_OFFLINE=1 on compute nodes),
  or builds a tiny GPT-2 from a config with --random-init.
- Saves a checkpoint every --save-steps steps into $HPCBENCH_CHECKPOINT_DIR (or --checkpoint-dir)
  and resumes from the latest one when the job is requeued (SLURM_RESTART_COUNT > 0, or simply
  when a checkpoint exists). On SIGUSR1/SIGTERM (sent by the job script's trap before the time
  limit) it saves a checkpoint at the end of the current step and exits with code 0.
- Writes one JSON line per logged step to $HPCBENCH_TRAINING_LOG (train.jsonl):
  {"step", "epoch", "loss", "learning_rate", "step_time_s", "samples_per_s", "tokens_per_s", "time"}.
"""

import argparse
import math
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hpcbench_log import JsonlWriter, out_path, read_lines  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="distilgpt2")
    p.add_argument("--train", required=True, help="text file, one example per line")
    p.add_argument("--val", help="validation text file")
    p.add_argument("--epochs", type=float, default=3.0)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--lora-r", type=int, default=8)
    p.add_argument("--lora-alpha", type=int, default=16)
    p.add_argument("--lora-dropout", type=float, default=0.05)
    p.add_argument("--save-steps", type=int, default=50)
    p.add_argument("--log-steps", type=int, default=5)
    p.add_argument("--checkpoint-dir", default=None)
    p.add_argument("--output-dir", default=None, help="where the final adapter is saved (default: <out dir>/adapter)")
    p.add_argument("--random-init", action="store_true")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


STOP = {"requested": False}


def request_stop(signum, _frame):
    STOP["requested"] = True
    print(f"train_lora.py: signal {signum} received; checkpointing after this step", file=sys.stderr, flush=True)


def latest_checkpoint(directory):
    if not os.path.isdir(directory):
        return None
    steps = [int(name.split("-")[1]) for name in os.listdir(directory) if name.startswith("step-") and name.split("-")[1].isdigit()]
    return os.path.join(directory, f"step-{max(steps)}") if steps else None


def main(argv=None):
    args = parse_args(argv)
    import torch
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict, get_peft_model_state_dict
    from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

    signal.signal(signal.SIGUSR1, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    torch.manual_seed(args.seed)
    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else ("cpu" if args.device == "auto" else args.device)
    checkpoint_dir = args.checkpoint_dir or os.environ.get("HPCBENCH_CHECKPOINT_DIR") or os.path.join(os.environ.get("HPCBENCH_OUT_DIR", "."), "checkpoints")
    os.makedirs(checkpoint_dir, exist_ok=True)

    try:
        tokenizer = AutoTokenizer.from_pretrained(args.model, local_files_only=True)
    except OSError:
        sys.exit(f"tokenizer of {args.model!r} is not in the offline cache; run the prefetch script on a node with internet")
    tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
    if args.random_init:
        base = GPT2LMHeadModel(GPT2Config(vocab_size=tokenizer.vocab_size, n_positions=args.max_length, n_embd=128, n_layer=2, n_head=4))
        targets = ["c_attn"]
    else:
        base = AutoModelForCausalLM.from_pretrained(args.model, local_files_only=True)
        targets = None  # peft knows the attention projections of common architectures
    lora = LoraConfig(r=args.lora_r, lora_alpha=args.lora_alpha, lora_dropout=args.lora_dropout, task_type="CAUSAL_LM", target_modules=targets)
    model = get_peft_model(base, lora).to(device)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr)

    texts = read_lines(args.train)
    encoded = tokenizer(texts, truncation=True, max_length=args.max_length, padding="max_length", return_tensors="pt")
    n = encoded["input_ids"].shape[0]
    steps_per_epoch = max(1, math.ceil(n / args.batch_size))
    total_steps = max(1, int(args.epochs * steps_per_epoch))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1 - s / total_steps))

    step = 0
    resume = latest_checkpoint(checkpoint_dir)
    if resume:
        state = torch.load(os.path.join(resume, "state.pt"), map_location=device)
        set_peft_model_state_dict(model, state["adapter"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        print(f"train_lora.py: resumed from {resume} at step {step} (restart {os.environ.get('SLURM_RESTART_COUNT', '0')})", file=sys.stderr)

    def save(at_step):
        path = os.path.join(checkpoint_dir, f"step-{at_step}")
        tmp = path + ".tmp"
        os.makedirs(tmp, exist_ok=True)
        torch.save({"adapter": get_peft_model_state_dict(model), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "step": at_step}, os.path.join(tmp, "state.pt"))
        if os.path.exists(path):  # the same step saved twice (signal right after a periodic save)
            shutil.rmtree(path)
        os.replace(tmp, path)
        return path

    log = JsonlWriter(out_path("HPCBENCH_TRAINING_LOG", "train.jsonl"))
    model.train()
    generator = torch.Generator().manual_seed(args.seed)
    order = torch.randperm(n, generator=generator)
    window_start, window_samples, window_tokens = time.time(), 0, 0
    while step < total_steps and not STOP["requested"]:
        start = (step % steps_per_epoch) * args.batch_size
        idx = order[start:start + args.batch_size]
        ids = encoded["input_ids"][idx].to(device)
        mask = encoded["attention_mask"][idx].to(device)
        labels = ids.masked_fill(mask == 0, -100)
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        window_samples += int(ids.shape[0])
        window_tokens += int(mask.sum())
        if step % args.log_steps == 0 or step == total_steps:
            if device == "cuda":
                torch.cuda.synchronize()
            now = time.time()
            elapsed = now - window_start
            steps_in_window = args.log_steps if step % args.log_steps == 0 else step % args.log_steps
            log.write({"step": step, "epoch": step / steps_per_epoch, "loss": float(loss.item()), "learning_rate": scheduler.get_last_lr()[0],
                       "step_time_s": elapsed / steps_in_window, "samples_per_s": window_samples / elapsed,
                       "tokens_per_s": window_tokens / elapsed, "time": now})
            window_start, window_samples, window_tokens = time.time(), 0, 0
        if step % args.save_steps == 0:
            save(step)
    path = save(step)
    log.close()
    if STOP["requested"] and step < total_steps:
        print(f"train_lora.py: stopped at step {step}/{total_steps}; checkpoint {path}; the job will be requeued", file=sys.stderr)
        return 0
    output_dir = args.output_dir or os.path.join(os.environ.get("HPCBENCH_OUT_DIR", "."), "adapter")
    model.save_pretrained(output_dir)
    print(f"train_lora.py: finished {total_steps} steps; adapter saved to {output_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
