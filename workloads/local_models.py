"""A tokenizer and a model built on the spot, for --random-init: nothing is read from the Hugging
Face cache and nothing is downloaded, so the workloads run on a machine without any model.

The tokenizer is a word-level vocabulary of the given texts (words outside it become [UNK]); the
model is a small GPT-2 with seeded random weights, so every run with the same seed builds the same
one. Their figures describe this toy model: use them to test the pipeline and the checkpointing,
not to measure a real model.
"""

import os

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[BOS]", "[EOS]"]


def use_deterministic_cpu(threads):
    """Same inputs, same numbers: deterministic kernels and a fixed thread count (a float sum split
    over another number of threads rounds differently, so compare runs with equal `threads`)."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS, if on a GPU
    import torch

    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)


def local_tokenizer(texts):
    """A word-level tokenizer whose vocabulary is every word and punctuation run of `texts`, sorted
    (a trainer's frequency ties could order it differently from one run to the next)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    split = pre_tokenizers.Whitespace()
    words = sorted({word for text in texts for word, _ in split.pre_tokenize_str(text)})
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS + words)}
    model = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    model.pre_tokenizer = split
    return PreTrainedTokenizerFast(tokenizer_object=model, pad_token="[PAD]", unk_token="[UNK]", bos_token="[BOS]", eos_token="[EOS]")


def tiny_gpt2(tokenizer, n_positions, seed):
    """A 2-layer GPT-2 with random weights drawn from `seed`, sized for `tokenizer`."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=n_positions, n_embd=64, n_layer=2, n_head=4,
                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    return GPT2LMHeadModel(config)
