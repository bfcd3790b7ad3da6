#!/usr/bin/env python3
"""Batched text-generation benchmark that writes hpcbench's inference JSONL (hpcbench.inference/1).

Backends:
  transformers  a causal LM from the offline Hugging Face cache (compute nodes have no internet:
                HF_HUB_OFFLINE=1 is set by the job script), optionally with a LoRA adapter;
                fp16/bf16 on GPU, fp32 on CPU. --random-init builds a tiny GPT-2 and a
                word-level tokenizer of the --train text (or the prompts) on the spot, reading
                nothing from the cache (workloads/local_models.py), for machines without a model.
  ngram         a standard-library n-gram model (workloads/ngram_model.py) for machines without
                PyTorch; its numbers describe that toy model, and the log header says so.
  auto          transformers when torch and transformers import, else ngram.

Batch size and max_new_tokens come from the flags, else from the sweep's environment variables
(batch_size, max_new_tokens), else defaults. Every record carries start/end (epoch seconds),
token counts, TTFT and inter-token latencies; the first --warmup batches are flagged warm-up.
"""

import argparse
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hpcbench_log import JsonlWriter, env_param, out_path, read_lines  # noqa: E402

SCHEMA = "hpcbench.inference/1"
MAX_PROMPT_TOKENS = 256


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="distilgpt2", help="Hugging Face id in the offline cache, or a local path")
    p.add_argument("--adapter", help="directory of a LoRA adapter (peft) to apply")
    p.add_argument("--prompts", required=True, help="text file, one prompt per line")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--max-new-tokens", type=int, default=None)
    p.add_argument("--iterations", type=int, default=None, help="batches to time after warm-up (default: one pass over the prompts)")
    p.add_argument("--warmup", type=int, default=2, help="batches flagged as warm-up at the start")
    p.add_argument("--backend", choices=["auto", "transformers", "ngram"], default="auto")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--dtype", choices=["auto", "fp16", "bf16", "fp32"], default="auto")
    p.add_argument("--random-init", action="store_true", help="tiny model from a config, no weights needed")
    p.add_argument("--train", default=None, help="text the ngram model, or the --random-init tokenizer, is built from (default: the prompts)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", default=None, help="JSONL path (default: $HPCBENCH_INFERENCE_LOG or inference.jsonl)")
    args = p.parse_args(argv)
    args.batch_size = args.batch_size or env_param("batch_size", 4)
    args.max_new_tokens = args.max_new_tokens or env_param("max_new_tokens", 32)
    if args.batch_size < 1 or args.max_new_tokens < 1:
        p.error("--batch-size and --max-new-tokens must be at least 1")
    return args


def batches(prompts, batch_size, count):
    """`count` batches cycling over the prompts."""
    i = 0
    for _ in range(count):
        batch = [prompts[(i + k) % len(prompts)] for k in range(batch_size)]
        i = (i + batch_size) % len(prompts)
        yield batch


class TokenClock:
    """Records the wall-clock time at which each new token (step) is produced."""

    def __init__(self):
        self.times = []

    def tick(self, *_):
        self.times.append(time.time())
        return False


def run_ngram(args, prompts, log, header):
    from ngram_model import NgramModel, tokenize

    corpus = read_lines(args.train) if args.train else prompts
    model = NgramModel(order=3, seed=args.seed).fit(corpus)
    header.update(backend="ngram", model="ngram-order3", device="cpu", dtype="n/a")
    log.write(header)
    total = args.warmup + (args.iterations or max(1, len(prompts) // args.batch_size))
    for i, batch in enumerate(batches(prompts, args.batch_size, total)):
        clock = TokenClock()
        start = time.time()
        inputs = [tokenize(p) for p in batch]
        out_tokens = 0
        # Sequences of a batch advance together, one token each per step, like batched decoding.
        histories = [list(t) for t in inputs]
        for step in range(args.max_new_tokens):
            for h in histories:
                h.append(model.generate(h, 1)[0])
            out_tokens += len(histories)
            clock.tick()
        end = time.time()
        log.write(record(i, start, end, len(batch), sum(len(t) for t in inputs), out_tokens, clock.times, i < args.warmup))


def record(i, start, end, batch_size, input_tokens, output_tokens, token_times, warmup, error=None):
    return {
        "id": i,
        "start": start,
        "end": end,
        "batch_size": batch_size,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "token_times_s": token_times,
        "warmup": warmup,
        "error": error,
    }


def run_transformers(args, prompts, log, header):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, StoppingCriteria, StoppingCriteriaList

    torch.manual_seed(args.seed)
    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else ("cpu" if args.device == "auto" else args.device)
    if args.dtype == "auto":
        dtype = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if device == "cuda" else torch.float32
    else:
        dtype = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[args.dtype]
    if args.random_init:
        from local_models import local_tokenizer, tiny_gpt2

        tokenizer = local_tokenizer(read_lines(args.train) if args.train else prompts)
        model = tiny_gpt2(tokenizer, n_positions=MAX_PROMPT_TOKENS + args.max_new_tokens, seed=args.seed)
    else:
        try:
            tokenizer = AutoTokenizer.from_pretrained(args.model, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(args.model, local_files_only=True, torch_dtype=dtype)
        except OSError:
            sys.exit(f"model {args.model!r} is not in the offline cache ({os.environ.get('HF_HUB_CACHE', '~/.cache/huggingface')}); "
                     "run the prefetch script on a node with internet, or pass --random-init")
        tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
    tokenizer.padding_side = "left"  # generation continues every prompt of a batch from its last token
    if args.adapter:
        from peft import PeftModel
        model = PeftModel.from_pretrained(model, args.adapter)
    model = model.to(device=device, dtype=dtype).eval()

    def encode(texts):
        return tokenizer(texts, return_tensors="pt", padding=True, truncation=True, max_length=MAX_PROMPT_TOKENS).to(device)

    class Clock(StoppingCriteria):
        def __init__(self):
            self.times = []

        def __call__(self, input_ids, scores, **kwargs):
            if device == "cuda":
                torch.cuda.synchronize()
            self.times.append(time.time())
            return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)

    header.update(backend="transformers", model="tiny-gpt2 (random init)" if args.random_init else args.model, device=device, dtype=str(dtype).replace("torch.", ""))
    if device == "cuda":
        header["gpu"] = torch.cuda.get_device_name(0)
    log.write(header)
    total = args.warmup + (args.iterations or max(1, len(prompts) // args.batch_size))
    for i, batch in enumerate(batches(prompts, args.batch_size, total)):
        inputs = encode(batch)
        clock = Clock()
        start = time.time()
        error = None
        out_tokens = 0
        try:
            with torch.inference_mode():
                out = model.generate(**inputs, max_new_tokens=args.max_new_tokens, min_new_tokens=args.max_new_tokens, do_sample=False,
                                     pad_token_id=tokenizer.pad_token_id,
                                     stopping_criteria=StoppingCriteriaList([clock]))
            out_tokens = int((out.shape[1] - inputs["input_ids"].shape[1]) * out.shape[0])
        except torch.cuda.OutOfMemoryError as oom:  # logged as a failed batch, the sweep goes on
            error = f"CUDA out of memory: {str(oom).splitlines()[0]}"
            torch.cuda.empty_cache()
        if device == "cuda":
            torch.cuda.synchronize()
        end = time.time()
        log.write(record(i, start, end, len(batch), int(inputs["attention_mask"].sum()), out_tokens, clock.times, i < args.warmup, error))


def main(argv=None):
    args = parse_args(argv)
    prompts = read_lines(args.prompts)
    log = JsonlWriter(args.output or out_path("HPCBENCH_INFERENCE_LOG", "inference.jsonl"))
    header = {"schema": SCHEMA, "params": {"batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens}, "host": socket.gethostname()}
    backend = args.backend
    if backend == "auto":
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401
            backend = "transformers"
        except ImportError:
            backend = "ngram"
            print("infer.py: torch/transformers not installed; using the standard-library ngram backend", file=sys.stderr)
    try:
        (run_transformers if backend == "transformers" else run_ngram)(args, prompts, log, header)
    finally:
        log.close()
    print(f"infer.py: wrote {log.path}", file=sys.stderr)


if __name__ == "__main__":
    main()
