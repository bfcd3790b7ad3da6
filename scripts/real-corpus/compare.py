#!/usr/bin/env python3
"""Run hpcbench on every file of tests/fixtures/real/ and compare with references.json.

    python3 scripts/real-corpus/compare.py [--out /tmp/dir]

It never changes hpcbench; it runs `node bin/hpcbench.js profile` (the built dist/) two ways:
  * loose file:  profile <file> --out <tmp>/m.json --json
  * run dir, for sacct/ and seff/ files: <tmp>/rd/sacct.txt = the file, plus
    out/exp/main/metadata.json naming the first job id of the reference, then
    profile <tmp>/rd --out <tmp>/rd/m.json --json
and prints, per file, what hpcbench did (read / refused + message) and every figure
that differs from the reference (relative tolerance 1e-9).  Output is markdown-ish
text meant to be pasted into CURRENT-BEHAVIOUR.md after reading it.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(ROOT, "tests", "fixtures", "real")
REFS = json.load(open(os.path.join(CORPUS, "references.json")))["files"]


def run(args, cwd=ROOT):
    p = subprocess.run(["node", "bin/hpcbench.js"] + args, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def close(a, b, rel=1e-9):
    if a is None or b is None:
        return a is None and b is None
    try:
        return abs(float(a) - float(b)) <= rel * max(1.0, abs(float(a)), abs(float(b)))
    except (TypeError, ValueError):
        return a == b


def diff(label, ref, got, out):
    if not close(ref, got):
        if isinstance(ref, (int, float)) and isinstance(got, (int, float)) and ref:
            out.append("%s: reference %r, hpcbench %r (%+.3g%%)" % (label, ref, got, 100.0 * (got - ref) / ref))
        else:
            out.append("%s: reference %r, hpcbench %r" % (label, ref, got))


def pick_gpu(hb_gpus, key, ref_entry, n_ref):
    for g in hb_gpus:
        if key in (g.get("uuid"), g.get("bus_id"), g.get("index"), g.get("id")):
            return g
    if n_ref == 1 and len(hb_gpus) == 1:
        return hb_gpus[0]
    return None


def compare_gpu(ref, task, out):
    gpu = task.get("gpu")
    if not gpu:
        out.append("no gpu section in hpcbench output")
        return
    hb = gpu.get("gpus", [])
    if len(hb) != len(ref["gpus"]):
        out.append("GPU count: reference %d, hpcbench %d (ids %s)" % (len(ref["gpus"]), len(hb), [g.get("id") for g in hb]))
    for key, r in ref["gpus"].items():
        g = pick_gpu(hb, key, r, len(ref["gpus"]))
        if g is None:
            out.append("GPU %s: not found in hpcbench output" % key)
            continue
        tag = "GPU %s" % key
        diff(tag + " samples", r["samples"], g.get("samples"), out)
        if ref["kind"] == "nvidia-smi-dmon":
            for c, h in (("sm", "utilization"), ("mem", "memory_utilization"), ("pwr", "power_w")):
                diff(tag + " mean " + c, r.get("mean_" + c), (g.get(h) or {}).get("mean"), out)
            continue
        for rk, hk in (("utilization_gpu_pct", "utilization"), ("memory_used_mib", "memory_used_mib"), ("power_draw_w", "power_w")):
            rs, hs = r.get(rk), g.get(hk)
            if rs is None and hs is None:
                continue
            if rs is None or hs is None:
                out.append("%s %s: reference %s, hpcbench %s" % (tag, rk, "absent" if rs is None else "present", "null" if hs is None else "present"))
                continue
            diff(tag + " " + rk + " n", rs["n"], hs.get("samples"), out)
            for s in ("mean", "p50", "p95", "max"):
                diff(tag + " " + rk + " " + s, rs[s], hs.get(s), out)


def ms(x):
    return None if x is None else x * 1000.0


def compare_vllm(ref, task, out):
    inf = task.get("inference")
    if not inf:
        out.append("no inference section in hpcbench output")
        return
    r = list(ref["runs"].values())[0]
    diff("completed", r["completed"], inf.get("completed_requests"), out)
    diff("request_throughput", r["request_throughput"], inf.get("request_throughput"), out)
    diff("output tok/s", r["output_throughput_tok_s"], inf.get("output_tokens_per_s"), out)
    for k, hk in (("ttft_ms", "ttft_s"), ("tpot_ms", "tpot_s")):
        if r.get(k) is None:
            continue
        for s, hs in (("mean", "mean"), ("median", "p50"), ("p99", "p99")):
            diff("%s %s" % (k, s), r[k][s], ms((inf.get(hk) or {}).get(hs)), out)


def compare_stdout(ref, task, out):
    tr = task.get("training")
    if not tr:
        out.append("no training section in hpcbench output")
        return
    curve = tr.get("loss_curve") or []
    diff("loss records", ref["loss_records"], len(curve), out)
    diff("first loss", ref["first_loss"], curve[0]["value"] if curve else None, out)
    diff("last loss", ref["last_loss"], tr.get("final_loss"), out)
    diff("summary train_loss", ref["summary_train_loss"], tr.get("train_loss"), out)
    out.append("(info) hpcbench step axis %r, loss steps %s, lastStep %r"
               % (tr.get("step_axis"), [p["step"] for p in curve], tr.get("last_step")))


def compare_accounting(ref, task, jid, out):
    acc = task.get("accounting")
    if not acc:
        out.append("no accounting section in hpcbench output")
        return
    out.append("accounting: " + json.dumps(acc)[:600])


def summarise(rel, rc, stdout, stderr, mfile):
    lines = []
    if rc != 0:
        return "REFUSED (exit %d): %s" % (rc, stderr.strip()), lines
    doc = json.load(open(mfile))
    task = doc["tasks"][0]
    ref = REFS[rel]
    kind = ref["kind"]
    if kind in ("nvidia-smi-query", "nvidia-smi-dmon"):
        compare_gpu(ref, task, lines)
        w = (task.get("gpu") or {}).get("warnings") or []
        if w:
            lines.append("hpcbench warnings: %s" % w)
    elif kind == "vllm":
        compare_vllm(ref, task, lines)
    elif kind == "trainer-stdout":
        compare_stdout(ref, task, lines)
    rej = sum((s.get("rejected") or {}).get("count", 0) for s in doc.get("sources", []))
    if rej:
        ex = [s["rejected"]["examples"][:2] for s in doc["sources"] if s.get("rejected")]
        lines.append("rejected lines: %d, e.g. %s" % (rej, json.dumps(ex)[:400]))
    section = {"nvidia-smi-query": "gpu", "nvidia-smi-dmon": "gpu", "vllm": "inference",
               "trainer-stdout": "training"}.get(kind)
    missing = [m for m in task.get("missing") or [] if m.get("section") == section]
    if missing:
        lines.append("missing: %s" % json.dumps(missing)[:400])
    return ("READ, figures match the reference" if not lines else "READ"), lines


def main():
    tmp = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else tempfile.mkdtemp(prefix="hpcbench-real-")
    os.makedirs(tmp, exist_ok=True)
    for rel in sorted(REFS):
        name = rel.replace("/", "__")
        mfile = os.path.join(tmp, name + ".m.json")
        rc, so, se = run(["profile", os.path.join("tests", "fixtures", "real", rel), "--out", mfile, "--json"])
        status, lines = summarise(rel, rc, so, se, mfile)
        print("## %s\nloose file: %s" % (rel, status))
        for l in lines:
            print("  - " + l)
        if rel.startswith(("sacct/", "seff/")):
            rd = os.path.join(tmp, name + ".rundir")
            shutil.rmtree(rd, ignore_errors=True)
            os.makedirs(os.path.join(rd, "out", "exp", "main"))
            shutil.copyfile(os.path.join(CORPUS, rel), os.path.join(rd, "sacct.txt"))
            jobs = list(REFS[rel].get("jobs", {}) or {"?": None})
            jid = jobs[0]
            json.dump({"job_id": jid}, open(os.path.join(rd, "out", "exp", "main", "metadata.json"), "w"))
            rc, so, se = run(["profile", rd, "--out", os.path.join(rd, "m.json"), "--json"])
            if rc != 0:
                print("run dir (sacct.txt, job %s): REFUSED (exit %d): %s" % (jid, rc, se.strip()))
            else:
                doc = json.load(open(os.path.join(rd, "m.json")))
                lines = []
                compare_accounting(REFS[rel], doc["tasks"][0], jid, lines)
                print("run dir (sacct.txt, job %s): READ" % jid)
                for l in lines:
                    print("  - " + l)
        print()


if __name__ == "__main__":
    main()
