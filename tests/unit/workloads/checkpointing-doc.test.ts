// docs/checkpointing.md prints the recipes that the tests run: each block marked
// `<!-- verbatim: PATH -->` must be that file's content, so the page and the code cannot drift.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './python.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs/checkpointing.md'), 'utf8');
const BLOCKS = new Map([...DOC.matchAll(/^<!-- verbatim: (\S+) -->\n```python\n([\s\S]*?)^```$/gm)].map((m) => [m[1]!, m[2]!]));

describe('docs/checkpointing.md', () => {
  it('prints both executed recipes', () => {
    expect([...BLOCKS.keys()].sort()).toEqual(['workloads/recipes/hf_trainer_checkpoint.py', 'workloads/recipes/torch_loop_checkpoint.py']);
  });

  it.each([...BLOCKS])('prints %s verbatim', (path, block) => {
    expect(block).toBe(readFileSync(join(REPO_ROOT, path), 'utf8'));
  });
});
