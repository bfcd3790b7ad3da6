#!/usr/bin/env python3
"""A Hugging Face Trainer that follows hpcbench's checkpoint contract (docs/checkpointing.md).

The job script sends $HPCBENCH_CHECKPOINT_SIGNAL (or SIGTERM) before the time limit. The callback
below makes the Trainer save a checkpoint at the end of the current step and stop; the script
exits 0, the job is requeued and runs the same command, and trainer.train() resumes from the
latest complete checkpoint-N in $HPCBENCH_CHECKPOINT_DIR (model, optimizer, scheduler, RNG
states, data position), logging exactly the losses of an uninterrupted run.

Copy CheckpointOnSignal, latest_checkpoint() and the lines marked "contract" into your script.
This one runs as it is on a CPU: a tiny random-init GPT-2 and a word-level tokenizer built from
--train (workloads/local_models.py) stand in for AutoModelForCausalLM/AutoTokenizer.from_pretrained.
"""

import argparse
import json
import math
import os
import re
import signal
import sys
import time

CHECKPOINT_DIR = os.environ.get("HPCBENCH_CHECKPOINT_DIR", "checkpoints")
LOG_PATH = os.environ.get("HPCBENCH_TRAINING_LOG", "train.jsonl")


class StopFlag:
    """Set by the checkpoint signal or SIGTERM; installed before the slow imports below."""

    signum = None

    @classmethod
    def set(cls, signum, _frame):
        cls.signum = signum


for name in {"TERM", os.environ.get("HPCBENCH_CHECKPOINT_SIGNAL", "USR1").removeprefix("SIG")}:
    signal.signal(signal.Signals["SIG" + name], StopFlag.set)

import torch  # noqa: E402
from transformers import DataCollatorForLanguageModeling, Trainer, TrainerCallback, TrainingArguments  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from local_models import local_tokenizer, tiny_gpt2  # noqa: E402


class CheckpointOnSignal(TrainerCallback):
    """After a signal, the Trainer saves at the end of the current step and stops training."""

    def on_step_end(self, args, state, control, **kwargs):
        if StopFlag.signum is not None:
            control.should_save = True
            control.should_training_stop = True
        return control


class JsonlLog(TrainerCallback):
    """Writes the Trainer's logs (loss, learning rate, ...) as hpcbench's train.jsonl."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        with open(LOG_PATH, "a", encoding="utf-8") as log:
            log.write(json.dumps({"step": state.global_step, **(logs or {}), "time": time.time()}) + "\n")


def latest_checkpoint():
    """The newest complete checkpoint-N: the Trainer writes trainer_state.json last, so a folder
    without it was cut short by a kill and is skipped."""
    found = [(int(m[1]), m[0]) for m in map(re.compile(r"checkpoint-(\d+)").fullmatch, os.listdir(CHECKPOINT_DIR)) if m]
    complete = [name for _, name in sorted(found) if os.path.isfile(os.path.join(CHECKPOINT_DIR, name, "trainer_state.json"))]
    return os.path.join(CHECKPOINT_DIR, complete[-1]) if complete else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", required=True, help="text file, one example per line")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--save-every-pct", type=float, default=10, help="checkpoint every N %% of the steps as well")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("SLURM_CPUS_PER_TASK") or 1))  # the same in every run
    os.makedirs(CHECKPOINT_DIR, exist_ok=True)

    texts = [line.strip() for line in open(args.train, encoding="utf-8") if line.strip()]
    tokenizer = local_tokenizer(texts)
    model = tiny_gpt2(tokenizer, n_positions=64, seed=args.seed)
    dataset = [tokenizer(text, truncation=True, max_length=64) for text in texts]
    training_args = TrainingArguments(
        output_dir=CHECKPOINT_DIR,  # contract: checkpoint-N folders go where the requeued job finds them
        save_strategy="steps",
        save_steps=math.ceil(args.steps * args.save_every_pct / 100),
        save_total_limit=2,
        max_steps=args.steps,
        per_device_train_batch_size=args.batch_size,
        learning_rate=1e-3,
        logging_steps=1,  # one loss per step (a log window cut by a resume would average fewer steps)
        seed=args.seed,
        full_determinism=True,
        report_to=[],
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=training_args, train_dataset=dataset,
                      data_collator=DataCollatorForLanguageModeling(tokenizer, mlm=False),
                      callbacks=[CheckpointOnSignal(), JsonlLog()])  # contract: the callback
    resume = latest_checkpoint()
    if resume:
        print(f"resuming from {resume} (restart {os.environ.get('HPCBENCH_RESTART_COUNT', '0')})", flush=True)
    trainer.train(resume_from_checkpoint=resume)  # contract: resume from the latest checkpoint, if any
    if trainer.state.global_step < args.steps:
        print(f"checkpointed at step {trainer.state.global_step}/{args.steps}; the job will be requeued", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
