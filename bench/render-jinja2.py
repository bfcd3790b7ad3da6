#!/usr/bin/env python3
"""Jinja2 side of bench/render.bench.mjs: renders the SAME template files (nunjucks syntax is the
Jinja2 subset they use) with filters equivalent to hpcbench's, for every view in a JSON file.

usage: render-jinja2.py TEMPLATES_DIR TEMPLATE VIEWS_JSON REPEATS
prints one JSON line: {"seconds": [...per repeat...], "sha256": "...", "bytes": N, "version": "..."}
"""
import hashlib
import json
import re
import sys
import time

import jinja2

SAFE_WORD = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FORBIDDEN = re.compile(r'["\\#\x00-\x1f\x7f]')


def text(value):
    # JavaScript's String(): true/false, integers without .0
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def q(value):
    s = text(value)
    if s and SAFE_WORD.match(s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def qpath(value):
    s = text(value)
    if s == "~":
        return '"$HOME"'
    if s.startswith("~/"):
        return '"$HOME"/' + q(s[2:])
    return q(s)


def d(value):
    s = text(value)
    if SAFE_WORD.match(s):
        return s
    if not s or FORBIDDEN.search(s):
        raise ValueError("cannot place in #SBATCH: %r" % s)
    return '"' + s + '"'


def n(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("not a number: %r" % (value,))
    return text(value)


def ident(value):
    s = text(value)
    if not IDENT.match(s):
        raise ValueError("not an identifier: %r" % s)
    return s


def main():
    templates_dir, template, views_path, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(views_path) as f:
        views = json.load(f)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(q=q, qpath=qpath, d=d, n=n, ident=ident, shellcode=text)
    compiled = env.get_template(template)
    seconds = []
    digest = None
    total = 0
    for _ in range(repeats):
        h = hashlib.sha256()
        total = 0
        start = time.perf_counter()
        for view in views:
            out = compiled.render(view)
            h.update(out.encode())
            total += len(out)
        seconds.append(time.perf_counter() - start)
        digest = h.hexdigest()
    print(json.dumps({"seconds": seconds, "sha256": digest, "bytes": total, "version": jinja2.__version__}))


if __name__ == "__main__":
    main()
