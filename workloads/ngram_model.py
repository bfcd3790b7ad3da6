"""A word-level n-gram language model in the Python standard library.

It stands in for a transformer where PyTorch is not installed (a laptop, CI, the quick-start
demo): the inference workload still tokenises prompts, generates tokens one by one, and logs
real latencies, TTFT and inter-token gaps of real work, so the whole hpcbench pipeline runs
offline in seconds. Its numbers describe this toy model, not a GPU: every log it writes says
`"backend": "ngram"` in its header.
"""

import random
import re
from collections import Counter, defaultdict

TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def tokenize(text):
    return TOKEN.findall(text.lower())


class NgramModel:
    def __init__(self, order=3, seed=0):
        if order < 2:
            raise ValueError("order must be at least 2")
        self.order = order
        self.counts = defaultdict(Counter)
        self.unigrams = Counter()
        self.random = random.Random(seed)

    def fit(self, lines):
        for line in lines:
            tokens = ["<s>"] * (self.order - 1) + tokenize(line) + ["</s>"]
            self.unigrams.update(tokens[self.order - 1:])
            for i in range(self.order - 1, len(tokens)):
                for n in range(1, self.order):
                    context = tuple(tokens[i - n:i])
                    self.counts[context][tokens[i]] += 1
        if not self.unigrams:
            raise ValueError("no training text")
        return self

    def next_token(self, history):
        """Samples the next token with simple back-off from the longest known context."""
        for n in range(self.order - 1, 0, -1):
            context = tuple(history[-n:])
            options = self.counts.get(context)
            if options:
                break
        else:
            options = self.unigrams
        tokens = list(options)
        weights = [options[t] for t in tokens]
        return self.random.choices(tokens, weights=weights, k=1)[0]

    def generate(self, prompt_tokens, max_new_tokens, on_token=None):
        """Generates exactly max_new_tokens tokens (an end marker restarts the sentence)."""
        history = ["<s>"] * (self.order - 1) + list(prompt_tokens)
        generated = []
        while len(generated) < max_new_tokens:
            token = self.next_token(history)
            if token == "</s>":
                history.extend(["<s>"] * (self.order - 1))
                continue
            history.append(token)
            generated.append(token)
            if on_token is not None:
                on_token(len(generated))
        return generated
