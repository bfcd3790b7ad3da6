#!/usr/bin/env python3
"""Reference figures for the real-file corpus in tests/fixtures/real/.

Python 3 + numpy only.  Every file is parsed here with its own small parser,
written for these files and independent of hpcbench, so that hpcbench's
numbers can be checked against something it did not compute itself.

    python3 scripts/real-corpus/reference.py          # rewrites references.json
    python3 scripts/real-corpus/reference.py --check  # exit 1 if it would change

Conventions (also in tests/fixtures/real/PROVENANCE.md):
  * a figure the file does not contain is null, never 0;
  * percentiles are numpy.percentile with its default ("linear") method;
  * memory in MiB for nvidia-smi, bytes for sacct (K/M/G/T = 1024^1..4);
  * per-file decisions that are not obvious are written next to the file's
    entry in FILES below and repeated in the output under "notes".
"""

import ast
import json
import math
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(ROOT, "tests", "fixtures", "real")
OUT = os.path.join(CORPUS, "references.json")

NA_TOKENS = {"N/A", "[N/A]", "[Not Supported]", "Not Supported", "[Unknown Error]",
             "Unknown Error", "[GPU is lost]", "ERR!", "[Insufficient Permissions]", "-", ""}


# --------------------------------------------------------------------------
# small helpers

def read_text(rel):
    with open(os.path.join(CORPUS, rel), "rb") as fh:
        raw = fh.read()
    return raw, raw.decode("utf-8")


def physical_lines(text):
    """Lines split on \\n with a trailing \\r removed (CRLF tolerated)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [l[:-1] if l.endswith("\r") else l for l in lines]


def stats(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    a = np.array(vals, dtype=float)
    return {
        "n": int(a.size),
        "mean": float(np.mean(a)),
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "max": float(np.max(a)),
    }


def num(tok):
    """'1129 MiB' -> 1129.0, '34 %' -> 34.0, '33.09 W' -> 33.09, N/A -> None."""
    t = tok.strip()
    if t in NA_TOKENS:
        return None
    t = re.sub(r"\s*(MiB|MB|GiB|%|W|MHz|C)$", "", t)
    try:
        return float(t)
    except ValueError:
        return None


def file_meta(rel, raw):
    return {
        "bytes": len(raw),
        "crlf_or_cr": raw.count(b"\r"),
        "bom": raw.startswith(b"\xef\xbb\xbf"),
        "nul_bytes": raw.count(b"\0"),
        "ends_with_newline": raw.endswith(b"\n"),
    }


# --------------------------------------------------------------------------
# nvidia-smi --query-gpu

QUERY_FIELDS = ("timestamp", "index", "uuid", "pci.bus_id", "name", "utilization.gpu",
                "utilization.memory", "memory.used", "memory.total", "power.draw",
                "driver_version", "pstate", "temperature.gpu", "memory.free", "gpu")


def clean_col(name):
    return re.sub(r"\s*\[[^\]]*\]\s*$", "", name.strip())


def parse_query(rel, spec):
    raw, text = read_text(rel)
    lines = physical_lines(text)
    header = spec.get("columns")
    rows, non_csv, incomplete, error_lines = [], 0, 0, 0
    for line in lines:
        if header is None:
            cols = [clean_col(c) for c in line.split(",")]
            if len(cols) > 1 and cols[0] in QUERY_FIELDS:
                header = cols
            else:
                if re.search(r"is not a valid field|NVIDIA-SMI has failed|No devices were found", line):
                    error_lines += 1
                elif line.strip():
                    non_csv += 1
            continue
        fields = line.split(",")
        if len(fields) != len(header):
            if line.strip():
                # table line, banner, or the truncated last line
                if "," in line and len(fields) < len(header):
                    incomplete += 1
                else:
                    non_csv += 1
            continue
        if fields[-1].strip() == "":
            incomplete += 1
            continue
        rows.append(dict(zip(header, [f.strip() for f in fields])))

    key_field = spec.get("key")
    if key_field is None:
        for cand in ("uuid", "pci.bus_id", "index"):
            if header and cand in header:
                key_field = cand
                break
    gpus = {}
    for r in rows:
        k = r.get(key_field, "0") if key_field else "0"
        gpus.setdefault(k, []).append(r)

    out = {}
    for k, rs in gpus.items():
        entry = {"samples": len(rs)}
        for field, label in (("utilization.gpu", "utilization_gpu_pct"),
                             ("memory.used", "memory_used_mib"),
                             ("power.draw", "power_draw_w")):
            if field in (header or []):
                vals = [num(r[field]) for r in rs]
                entry[label] = stats(vals)
                entry[label + "_na"] = sum(1 for r in rs if num(r[field]) is None)
            else:
                entry[label] = None
        na = {}
        for col in header:
            c = sum(1 for r in rs if r[col] in NA_TOKENS - {""})
            if c:
                na[col] = c
        entry["na_values_by_column"] = na
        out[k] = entry
    return {
        "kind": "nvidia-smi-query",
        "file": file_meta(rel, raw),
        "header": header,
        "header_in_file": spec.get("columns") is None and header is not None,
        "keyed_by": key_field or "(single GPU, no id column)",
        "rows": len(rows),
        "non_csv_lines": non_csv,
        "incomplete_rows": incomplete,
        "error_lines": error_lines,
        "gpus": out,
    }


# --------------------------------------------------------------------------
# nvidia-smi dmon

def parse_dmon(rel, spec):
    raw, text = read_text(rel)
    cols, units, per = None, None, {}
    for line in physical_lines(text):
        if line.startswith("#"):
            toks = line[1:].split()
            if toks and toks[0] == "gpu":
                cols = toks
            else:
                units = toks
            continue
        toks = line.split()
        if not toks or cols is None:
            continue
        r = dict(zip(cols, toks))
        per.setdefault(r["gpu"], []).append(r)
    out = {}
    for g, rs in per.items():
        e = {"samples": len(rs)}
        for c in ("sm", "mem", "pwr"):
            if c in cols:
                vals = [None if r[c] == "-" else float(r[c]) for r in rs]
                good = [v for v in vals if v is not None]
                e["mean_" + c] = float(np.mean(good)) if good else None
                e[c + "_dash_values"] = len(vals) - len(good)
            else:
                e["mean_" + c] = None
        dashes = {c: sum(1 for r in rs if r[c] == "-") for c in cols}
        e["dash_values_by_column"] = {c: n for c, n in dashes.items() if n}
        out[g] = e
    return {"kind": "nvidia-smi-dmon", "file": file_meta(rel, raw), "columns": cols,
            "gpus": out}


# --------------------------------------------------------------------------
# nvidia-smi --query-compute-apps

def parse_apps(rel, spec):
    raw, text = read_text(rel)
    cols = spec["columns"]
    per = {}
    for line in physical_lines(text):
        f = [x.strip() for x in line.split(",")]
        if len(f) != len(cols):
            continue
        r = dict(zip(cols, f))
        per.setdefault(r["gpu_uuid"], []).append(r)
    pids = {}
    for g, rs in per.items():
        for r in rs:
            pids.setdefault(r["pid"], set()).add(g)
    return {
        "kind": "nvidia-smi-apps",
        "file": file_meta(rel, raw),
        "columns": cols,
        "gpus": {g: {"processes": len(rs),
                     "used_memory_mib_total": float(sum(float(r["used_memory"]) for r in rs))}
                 for g, rs in per.items()},
        "pids_on_several_gpus": sorted(p for p, gs in pids.items() if len(gs) > 1),
        "process_rows": sum(len(rs) for rs in per.values()),
    }


# --------------------------------------------------------------------------
# sacct

UNIT = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}


def dur(s):
    """[D-][HH:]MM:SS[.mmm] -> seconds; '' -> None."""
    s = s.strip()
    if not s or s in ("INVALID", "UNLIMITED", "Partition_Limit"):
        return None
    days = 0
    if "-" in s:
        d, s = s.split("-", 1)
        days = int(d)
    parts = s.split(":")
    sec = float(parts[-1])
    mins = int(parts[-2]) if len(parts) >= 2 else 0
    hrs = int(parts[-3]) if len(parts) >= 3 else 0
    return days * 86400 + hrs * 3600 + mins * 60 + sec


def mem_bytes(s):
    s = s.strip()
    if s == "":
        return None
    m = re.fullmatch(r"([0-9.]+)([KMGT]?)", s)
    if not m:
        return None
    v = float(m.group(1))
    return v * UNIT.get(m.group(2), 1) if m.group(2) else v  # bare number = bytes


def reqmem_total(s, ncpus, nodes):
    """ReqMem -> (bytes for the whole job, how derived)."""
    s = s.strip()
    if not s:
        return None, None
    m = re.fullmatch(r"([0-9.]+)([KMGT])([cn]?)", s)
    if not m:
        return None, "unparsed"
    v = float(m.group(1)) * UNIT[m.group(2)]
    if m.group(3) == "c":
        if ncpus is None:
            return None, "per-CPU (c suffix, Slurm < 21.08) but no CPU count in the file"
        return v * ncpus, "per-CPU (c suffix, Slurm < 21.08) x %d CPUs" % ncpus
    if m.group(3) == "n":
        if nodes is None:
            return v, "per-node (n suffix, Slurm < 21.08); node count absent, 1 node assumed"
        return v * nodes, "per-node (n suffix, Slurm < 21.08) x %d nodes" % nodes
    return v, "no suffix (Slurm >= 21.08): taken as the job's total request"


def sacct_rows_pipe(lines, header):
    rows = []
    for line in lines:
        f = line.split("|")
        if len(f) == len(header) + 1 and f[-1] == "":  # -p: trailing '|'
            f = f[:-1]
        if len(f) != len(header):
            continue
        rows.append(dict(zip(header, f)))
    return rows


def sacct_rows_fixed(lines, header, widths):
    rows = []
    for line in lines:
        pos, f = 0, []
        for w in widths:
            f.append(line[pos:pos + w].strip())
            pos += w + 1
        rows.append((line, dict(zip(header, f))))
    return rows


def spans_from_dashes(dash_line):
    return [len(t) for t in dash_line.split()]


def parse_sacct(rel, spec):
    raw, text = read_text(rel)
    lines = physical_lines(text)
    fmt = spec["format"]
    skipped = []
    if fmt == "pipe":
        if spec.get("columns"):
            header, body = spec["columns"], lines
        else:
            header, body = lines[0].split("|"), lines[1:]
            if header and header[-1] == "":
                header = header[:-1]
        rows = sacct_rows_pipe(body, header)
    else:
        if spec.get("columns"):
            header, widths, body = spec["columns"], spec["widths"], lines
        else:
            dash_i = next(i for i, l in enumerate(lines) if l.strip().startswith("---"))
            widths = spans_from_dashes(lines[dash_i])
            hl = lines[dash_i - 1]
            pos, header = 0, []
            for w in widths:
                header.append(hl[pos:pos + w].strip())
                pos += w + 1
            body = lines[dash_i + 1:]
        rows = []
        for line, r in sacct_rows_fixed(body, header, widths):
            if "JobID" in header and not re.match(r"^\d", r["JobID"]):
                skipped.append(line)
                continue
            rows.append(r)

    # group into jobs
    jobs, order = {}, []
    if "JobID" in header:
        for r in rows:
            base = r["JobID"].split(".")[0]
            if base not in jobs:
                jobs[base] = {"job": None, "steps": []}
                order.append(base)
            if "." in r["JobID"]:
                jobs[base]["steps"].append(r)
            else:
                jobs[base]["job"] = r
    elif spec.get("no_jobid") == "one-job":
        jobs["(no JobID column)"] = {"job": rows[0], "steps": rows[1:]}
        order.append("(no JobID column)")
    else:  # each row a job
        for i, r in enumerate(rows, 1):
            k = "row-%d" % i
            jobs[k] = {"job": r, "steps": []}
            order.append(k)

    out = {}
    for k in order:
        j = jobs[k]
        jr = j["job"]
        allrows = ([jr] if jr else []) + j["steps"]
        e = {"has_job_row": jr is not None, "steps": [s["JobID"] for s in j["steps"]] if "JobID" in header else len(j["steps"])}
        col = lambda c: (jr.get(c) if jr and c in header else None)
        e["state"] = col("State")
        e["elapsed_s"] = dur(col("Elapsed")) if col("Elapsed") is not None else (
            float(col("ElapsedRaw")) if col("ElapsedRaw") not in (None, "") else None)
        e["totalcpu_s"] = dur(col("TotalCPU")) if col("TotalCPU") not in (None, "") else None
        if e["totalcpu_s"] == 0 and jr is not None and all(not jobs[o]["steps"] for o in order):
            # sacct -X (no step rows anywhere) prints TotalCPU 00:00:00 for every job: not a figure
            e["totalcpu_s"], e["totalcpu_note"] = None, "0 on a job row of an allocations-only (-X) table: not measured"
        ncpus, src = None, None
        for c in ("NCPUS", "AllocCPUS"):
            if col(c) not in (None, ""):
                ncpus, src = int(col(c)), c
                break
        if ncpus is None and col("AllocTRES"):
            m = re.search(r"(?:^|,)cpu=(\d+)", col("AllocTRES"))
            if m:
                ncpus, src = int(m.group(1)), "AllocTRES cpu="
        if ncpus is None and col("CPUTime") and e["elapsed_s"]:
            ncpus, src = int(round(dur(col("CPUTime")) / e["elapsed_s"])), "CPUTime / Elapsed"
        e["ncpus"], e["ncpus_from"] = ncpus, src
        e["req_cpus"] = int(col("ReqCPUS")) if col("ReqCPUS") not in (None, "") else None
        if "MaxRSS" in header:
            vals = [mem_bytes(r["MaxRSS"]) for r in allrows]
            vals = [v for v in vals if v is not None]
            e["maxrss_bytes"] = max(vals) if vals else None
        else:
            e["maxrss_bytes"] = None
        nodes = None
        for c in ("NNodes", "AllocNodes", "ReqNodes"):
            if col(c) not in (None, ""):
                nodes = int(col(c))
                break
        e["reqmem"] = col("ReqMem")
        req, how = reqmem_total(col("ReqMem") or "", ncpus if ncpus is not None else e["req_cpus"], nodes)
        e["reqmem_total_bytes"], e["reqmem_derivation"] = req, how
        if col("AllocTRES"):
            m = re.search(r"(?:^|,)mem=([0-9.]+[KMGT])", col("AllocTRES"))
            e["alloc_tres_mem_bytes"] = mem_bytes(m.group(1)) if m else None
        if None not in (e["totalcpu_s"], e["elapsed_s"], ncpus) and e["elapsed_s"] > 0 and ncpus > 0:
            # seff's whole CPU seconds: int(sec + usec/1e6 + 0.5), as contribs/seff/seff computes cput
            e["cpu_efficiency"] = math.floor(e["totalcpu_s"] + 0.5) / (e["elapsed_s"] * ncpus)
        else:
            e["cpu_efficiency"] = None
        used = e["maxrss_bytes"]
        if "TRESUsageInTot" in header:
            # seff's "Memory Utilized": the largest step's TRESUsageInTot mem= (the sum of the
            # peaks of the step's tasks), which MaxRSS (one task's peak) is not for several tasks
            tots = [re.search(r"(?:^|,)mem=([0-9.]+[KMGT]?)(?:,|$)", r.get("TRESUsageInTot") or "") for r in allrows]
            tots = [mem_bytes(m.group(1)) for m in tots if m]
            e["memory_used_bytes"] = used = max(tots) if tots else None
        if used is not None and req:
            e["memory_efficiency"] = used / req
        else:
            e["memory_efficiency"] = None
        out[k] = e
    return {"kind": "sacct", "file": file_meta(rel, raw), "format": fmt, "columns": header,
            "header_in_file": not spec.get("columns"), "rows": len(rows),
            "skipped_lines": skipped, "jobs": out}


def parse_sacct_json(rel, spec):
    raw, text = read_text(rel)
    d = json.loads(text)
    out = {}
    for j in d["jobs"]:
        arr = j.get("array", {})
        key = str(j["job_id"])
        tid = arr.get("task_id")
        if isinstance(tid, dict) and tid.get("set"):
            key = "%s_%s" % (arr["job_id"], tid["number"])
        elif isinstance(tid, int) and arr.get("job_id"):  # v0.0.38 (Slurm 22.05): plain numbers
            key = "%s_%s" % (arr["job_id"], tid)
        t = j["time"]
        total = t["total"]["seconds"] + t["total"]["microseconds"] / 1e6
        step_total = sum(s["time"]["total"]["seconds"] + s["time"]["total"]["microseconds"] / 1e6 for s in j["steps"])
        total_note = "time.total.seconds + time.total.microseconds/1e6 (microseconds is > 1e6 in this file)"
        if total == 0 and j["steps"]:
            # Slurm 22.05 (v0.0.38) leaves the job's own time.total at 0; the text sacct prints
            # the sum over the steps on the job row, so that sum is the job's TotalCPU.
            total, total_note = step_total, "job time.total is 0 in this file: sum of the steps' time.total"
        ncpus = j["required"]["CPUs"]
        rss, used = [], []
        for s in j["steps"]:
            for m in s["tres"]["requested"]["max"]:
                if m["type"] == "mem":
                    rss.append(m["count"])
            # seff's memory used: the step's total (sum of its tasks' peaks), not one task's max
            for m in s["tres"]["requested"].get("total", []):
                if m["type"] == "mem":
                    used.append(m["count"])
        req = j["required"]
        if "memory_per_cpu" not in req:
            # v0.0.38 (Slurm 22.05): required.memory is MiB per node (--mem), no per-CPU flag in these jobs
            reqb = req["memory"] * 1024 ** 2 * j["allocation_nodes"] if req.get("memory") else None
            how = "required.memory (MiB per node, v0.0.38) x allocation_nodes" if reqb else None
        elif req["memory_per_cpu"]["set"]:
            reqb = req["memory_per_cpu"]["number"] * 1024 ** 2 * ncpus
            how = "required.memory_per_cpu (MiB) x required.CPUs"
        elif req["memory_per_node"]["set"]:
            nodes = j["allocation_nodes"]
            reqb = req["memory_per_node"]["number"] * 1024 ** 2 * nodes
            how = "required.memory_per_node (MiB) x allocation_nodes"
        else:
            reqb, how = None, None
        e = {
            "job_id": j["job_id"],
            "state": j["state"]["current"],
            "elapsed_s": float(t["elapsed"]),
            "totalcpu_s": total,
            "totalcpu_note": total_note,
            "ncpus": ncpus,
            "steps": [s["step"]["name"] for s in j["steps"]],
            "maxrss_bytes": float(max(rss)) if rss else None,
            "memory_used_bytes": float(max(used)) if used else None,
            "reqmem": ("memory=%s" % req["memory"] if reqb else None) if "memory_per_cpu" not in req else (
                "memory_per_cpu=%s" % req["memory_per_cpu"]["number"] if req["memory_per_cpu"]["set"] else None),
            "reqmem_total_bytes": float(reqb) if reqb is not None else None,
            "reqmem_derivation": how,
            "required_memory_raw": req["memory"],
        }
        e["cpu_efficiency"] = math.floor(total + 0.5) / (e["elapsed_s"] * ncpus)
        mem = e["memory_used_bytes"] if used else e["maxrss_bytes"]
        e["memory_efficiency"] = mem / reqb if (mem is not None and reqb) else None
        out[key] = e
    return {"kind": "sacct-json", "file": file_meta(rel, raw),
            "slurm_version": "%s.%02d.%s" % (d["meta"]["Slurm"]["version"]["major"],
                                           d["meta"]["Slurm"]["version"]["minor"],
                                           d["meta"]["Slurm"]["version"]["micro"]),
            "jobs": out}


# --------------------------------------------------------------------------
# seff

def parse_seff(rel, spec):
    raw, text = read_text(rel)
    kv = {}
    for line in physical_lines(text):
        if ":" in line:
            k, v = line.split(":", 1)
            kv[k.strip()] = v.strip()
    def size(s):
        m = re.match(r"([0-9.]+)\s*(KB|MB|GB|TB)", s)
        return float(m.group(1)) * {"KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}[m.group(2)]
    cpu_util = dur(kv["CPU Utilized"])
    m = re.match(r"([0-9.]+)% of (\S+) core-walltime", kv["CPU Efficiency"])
    core_wall = dur(m.group(2))
    wall = dur(kv["Job Wall-clock time"])
    # seff prints `Cores: 1` alone for a one-core job, `Nodes` and `Cores per node` otherwise
    nodes, cores = (1, int(kv["Cores"])) if "Cores" in kv else (int(kv["Nodes"]), int(kv["Cores per node"]))
    mm = re.match(r"([0-9.]+)% of (.*)$", kv["Memory Efficiency"])
    return {
        "kind": "seff", "file": file_meta(rel, raw),
        "job_id": kv["Job ID"], "state": kv["State"],
        "nodes": nodes, "cores_per_node": cores,
        "cpu_utilized_s": cpu_util, "core_walltime_s": core_wall, "wall_s": wall,
        "cpu_efficiency_reported_pct": float(m.group(1)),
        "cpu_efficiency_recomputed": cpu_util / (wall * nodes * cores),
        "memory_utilized_bytes": size(kv["Memory Utilized"]),
        "memory_requested_bytes": size(mm.group(2)),
        "memory_efficiency_reported_pct": float(mm.group(1)),
        "memory_efficiency_recomputed": size(kv["Memory Utilized"]) / size(mm.group(2)),
    }


def parse_reportseff(rel, spec):
    """reportseff's table (JobID State CPUEff MemEff, `---` for none), and the same figures
    recomputed with reportseff 2.10.3's own rules from the sacct capture of the same jobs:
    CPUEff = int(TotalCPU of the job row) / AllocCPUS / Elapsed (TotalCPU cut to whole seconds),
    MemEff = max over steps of MaxRSS x NTasks / ReqMem, both rounded to one decimal."""
    raw, text = read_text(rel)
    lines = physical_lines(text)
    pct = lambda c: None if c == "---" else float(c.rstrip("%"))
    printed = {}
    for line in lines[1:]:
        cells = line.split()
        if len(cells) >= 4:
            printed[cells[0]] = {"state": cells[1], "cpu_eff_pct": pct(cells[2]), "mem_eff_pct": pct(cells[3])}
    sacct = parse_sacct(spec["sacct"], {"format": "pipe"})
    _, stext = read_text(spec["sacct"])
    slines = physical_lines(stext)
    header = slines[0].split("|")
    rows = [dict(zip(header, l.split("|"))) for l in slines[1:]]
    recomputed = {}
    for jid in printed:
        job = next(r for r in rows if r["JobID"] == jid)
        steps = [r for r in rows if r["JobID"].startswith(jid + ".")]
        wall = dur(job["Elapsed"])
        cpus = int(job["NCPUS"])
        cpu = round(int(dur(job["TotalCPU"])) / cpus / wall * 100, 1) if wall else None
        stepmem = max(mem_bytes(r["MaxRSS"]) * int(r["NTasks"] or 1) for r in steps)
        req = mem_bytes(job["ReqMem"])
        recomputed[jid] = {"cpu_eff_pct": cpu or None, "mem_eff_pct": round(stepmem / req * 100, 1)}
    return {"kind": "reportseff", "file": file_meta(rel, raw), "sacct": spec["sacct"],
            "printed": printed, "recomputed_reportseff_rules": recomputed,
            "sacct_jobs": sacct["jobs"]}


def parse_genai_perf(rel, spec):
    """genai-perf's profile_export_genai_perf.json: one object per metric with its unit. Times
    are kept in the file's unit (ms); the statistics are genai-perf's own, copied."""
    raw, text = read_text(rel)
    d = json.loads(text)
    def stat(name):
        m = d.get(name)
        if not isinstance(m, dict):
            return None
        return {k: m.get(k) for k in ("unit", "avg", "p25", "p50", "p75", "p90", "p95", "p99", "min", "max", "std")}
    count = d.get("request_count")
    cfg = d.get("input_config") or {}
    ttft, lat = d.get("time_to_first_token"), d.get("request_latency")
    return {
        "kind": "genai-perf", "file": file_meta(rel, raw),
        "request_count": count["avg"] if isinstance(count, dict) else count,
        "request_throughput_per_s": d["request_throughput"]["avg"],
        "output_token_throughput_per_s": d["output_token_throughput"]["avg"],
        "time_to_first_token": stat("time_to_first_token"),
        "request_latency": stat("request_latency"),
        "inter_token_latency": stat("inter_token_latency"),
        "output_sequence_length_avg": d["output_sequence_length"]["avg"],
        "input_sequence_length_avg": d["input_sequence_length"]["avg"],
        "streaming": cfg.get("streaming"),
        "concurrency": cfg.get("concurrency"),
        # without streaming genai-perf has no first token to time: TTFT is the whole latency
        "ttft_equals_latency": ttft == lat,
    }


def parse_llmperf(rel, spec):
    """llmperf's *_summary.json (token_benchmark_ray.py): flat results_* keys in seconds."""
    raw, text = read_text(rel)
    d = json.loads(text)
    def stat(metric):
        k = "results_%s_" % metric
        out = {"mean": d[k + "mean"], "min": d[k + "min"], "max": d[k + "max"], "stddev": d[k + "stddev"]}
        for q in ("p25", "p50", "p75", "p90", "p95", "p99"):
            out[q] = d[k + "quantiles_" + q]
        return out
    return {
        "kind": "llmperf", "file": file_meta(rel, raw),
        "completed": d["results_num_completed_requests"],
        "started": d["results_num_requests_started"],
        "errors": d["results_number_errors"],
        "error_rate": d["results_error_rate"],
        "request_throughput_per_s": d["results_num_completed_requests_per_min"] / 60,
        "output_throughput_tok_s": d["results_mean_output_throughput_token_per_s"],
        "ttft_s": stat("ttft_s"),
        "end_to_end_latency_s": stat("end_to_end_latency_s"),
        "inter_token_latency_s": stat("inter_token_latency_s"),
        "output_tokens_mean": d["results_number_output_tokens_mean"],
        # min/max token counts are strings in these files ("550"), the other statistics numbers
        "string_valued_keys": sorted(k for k, v in d.items() if k.startswith("results_") and isinstance(v, str)),
    }


# --------------------------------------------------------------------------
# vLLM

def vllm_summary(d, unit_ms=True):
    f = 1.0 if unit_ms else 1000.0
    sfx = "_ms" if unit_ms else ""
    g = lambda k: (d[k] * f if d.get(k) is not None else None)
    return {
        "source": "summary",
        "completed": d.get("completed"),
        "request_throughput": d.get("request_throughput"),
        "output_throughput_tok_s": d.get("output_throughput"),
        "ttft_ms": {"mean": g("mean_ttft" + sfx), "median": g("median_ttft" + sfx), "p99": g("p99_ttft" + sfx)},
        "tpot_ms": {"mean": g("mean_tpot" + sfx), "median": g("median_tpot" + sfx), "p99": g("p99_tpot" + sfx)},
    }


def parse_vllm(rel, spec):
    raw, text = read_text(rel)
    mode = spec["mode"]
    res = {"kind": "vllm", "file": file_meta(rel, raw), "mode": mode}
    if mode == "nightly-table":
        rows = json.loads(text)
        res["runs"] = {r["Test name"]: {
            "source": "summary",
            "completed": r.get("# of req."),
            "completed_note": "'# of req.' is the number of prompts sent, the table has no completed count",
            "request_throughput": r["Tput (req/s)"],
            "output_throughput_tok_s": r["Output Tput (tok/s)"],
            "ttft_ms": {"mean": r["Mean TTFT (ms)"], "median": r["Median TTFT (ms)"], "p99": r["P99 TTFT (ms)"]},
            "tpot_ms": {"mean": r["Mean TPOT (ms)"], "median": r["Median TPOT (ms)"], "p99": r["P99 TPOT (ms)"]},
        } for r in rows}
    elif mode == "bench-serve":
        res["runs"] = {"run": vllm_summary(json.loads(text))}
    elif mode == "inferencex-seconds":
        d = json.loads(text)
        s = vllm_summary(d, unit_ms=False)
        s["completed"] = None
        s["request_throughput"] = None
        s["output_throughput_tok_s"] = None
        s["note"] = ("InferenceX aggregate: latencies are in seconds (converted here to ms); "
                     "only per-GPU throughputs (output_tput_per_gpu=%s, tp=%s) and no request count"
                     % (d.get("output_tput_per_gpu"), d.get("tp")))
        res["runs"] = {"run": s}
    elif mode == "detailed-excerpt":
        # unterminated JSON (cut after the ttfts list): pull keys and lists with regexes
        scalars = dict(re.findall(r'"([a-z_:]+)": ([0-9.]+|null|"[^"]*")', text))
        lists = {k: [float(x) for x in v.split(",") if x.strip()]
                 for k, v in re.findall(r'"(input_lens|output_lens|ttfts)": \[([^\]]*)\]', text)}
        t = np.array(lists["ttfts"]) * 1000.0
        res["runs"] = {"run": {
            "source": "per-request (ttfts) + summary keys at the head of the file",
            "completed": int(scalars["completed"]),
            "request_throughput": float(scalars["request_throughput"]),
            "output_throughput_tok_s": float(scalars["output_throughput"]),
            "ttft_ms": {"mean": float(np.mean(t)), "median": float(np.median(t)),
                        "p99": float(np.percentile(t, 99))},
            "tpot_ms": None,
            "tpot_note": "itls/latencies are cut off in the excerpt; TPOT not derivable",
            "per_request_counts": {k: len(v) for k, v in lists.items()},
            "sum_input_lens": int(sum(lists["input_lens"])),
            "sum_output_lens": int(sum(lists["output_lens"])),
        }}
    return res


# --------------------------------------------------------------------------
# Hugging Face trainer_state.json and Trainer stdout

def parse_trainer_state(rel, spec):
    raw, text = read_text(rel)
    d = json.loads(text)
    lh = d.get("log_history", [])
    loss = [e for e in lh if "loss" in e]
    evals = [e for e in lh if any(k.startswith("eval_") for k in e)]
    summ = [e for e in lh if "train_loss" in e]
    return {
        "kind": "trainer-state", "file": file_meta(rel, raw),
        "log_entries": len(lh),
        "loss_entries": len(loss),
        "eval_entries": len(evals),
        "global_step": d.get("global_step"),
        "last_logged_step": max((e["step"] for e in lh if "step" in e), default=None),
        "final_train_loss": loss[-1]["loss"] if loss else None,
        "final_train_loss_step": loss[-1].get("step") if loss else None,
        "summary_train_loss": summ[-1]["train_loss"] if summ else None,
        "best_metric": d.get("best_metric"),
        "best_model_checkpoint": d.get("best_model_checkpoint"),
    }


def parse_trainer_stdout(rel, spec):
    raw, text = read_text(rel)
    recs, summary = [], None
    for seg in re.split(r"[\r\n]", text):
        for m in re.finditer(r"\{'[a-z_]+': [^{}]*\}", seg):
            try:
                d = ast.literal_eval(m.group(0))
            except (ValueError, SyntaxError):
                continue
            if "loss" in d:
                recs.append(d)
            elif "train_loss" in d:
                summary = d
    return {
        "kind": "trainer-stdout", "file": file_meta(rel, raw),
        "loss_records": len(recs),
        "first_loss": recs[0]["loss"] if recs else None,
        "last_loss": recs[-1]["loss"] if recs else None,
        "first_epoch": recs[0].get("epoch") if recs else None,
        "last_epoch": recs[-1].get("epoch") if recs else None,
        "summary_train_loss": summary.get("train_loss") if summary else None,
    }


# --------------------------------------------------------------------------
# the corpus: every file, with the per-file facts its parser needs

RTXPRO_QUERY = ["index", "uuid", "name", "pci.bus_id", "driver_version", "utilization.gpu",
                "utilization.memory", "memory.total", "memory.used", "memory.free",
                "temperature.gpu", "temperature.memory", "power.draw", "power.limit", "clocks.gr",
                "clocks.mem", "clocks.max.gr", "clocks.max.mem", "fan.speed", "pstate",
                "pcie.link.gen.current", "pcie.link.width.current", "encoder.stats.sessionCount"]

UZH_COLUMNS = ["JobID", "JobName", "ReqMem", "MaxRSS", "CPUTime", "TotalCPU", "Elapsed", "End",
               "State", "ExitCode"]

FILES = {
    # nvidia-smi --query-gpu
    "nvidia-smi-query/v100s-pcie32-header-units-1s.csv": (parse_query, {}),
    "nvidia-smi-query/rtx4090-header-units-sampling-gaps.csv": (parse_query, {}),
    "nvidia-smi-query/power-draw-only-50ms.csv": (parse_query, {}),
    "nvidia-smi-query/gpu24g-selfheader-epoch-nounits-60s.csv": (parse_query, {}),
    "nvidia-smi-query/gpu80g-mem-util-15s-excerpt.csv": (parse_query, {}),
    "nvidia-smi-query/v100-table-banner-then-csv.csv": (parse_query, {}),
    "nvidia-smi-query/h100nvl-name-first-truncated-last-line.log": (parse_query, {}),
    # the header's "index" column is 0 on every row; the per-GPU id is in the
    # column the author called "gpu" (0..7), so that is the key here.
    "nvidia-smi-query/h100x8-selfheader-interleaved-nounits.csv": (parse_query, {"key": "gpu"}),
    "nvidia-smi-query/gtx1650-uuid-header-units-10ms-excerpt.csv": (parse_query, {}),
    "nvidia-smi-query/rtxpro6000-blackwell-x4-noheader-nounits.csv": (parse_query, {"columns": RTXPRO_QUERY}),
    "nvidia-smi-query/invalid-field-error.txt": (parse_query, {}),
    "nvidia-smi-query/t4-memory-only-100ms.csv": (parse_query, {}),
    "nvidia-smi-query/h100x2-table-only-no-csv.log": (parse_query, {}),
    # dmon / apps
    "nvidia-smi-dmon/util-only-s-u-trailing-spaces.log": (parse_dmon, {}),
    "nvidia-smi-dmon/rtxpro6000-x4-s-pucm-one-sample.log": (parse_dmon, {}),
    "nvidia-smi-dmon/gtx1050ti-old-format-temp-column.log": (parse_dmon, {}),
    "nvidia-smi-apps/rtxpro6000-compute-apps-noheader-nounits.csv":
        (parse_apps, {"columns": ["pid", "process_name", "gpu_uuid", "used_memory"]}),
    # sacct
    "sacct/bridges-default-fixed-width-steps-excerpt.txt": (parse_sacct, {"format": "fixed"}),
    "sacct/hyak-default-fixed-width-timeout-cancelled-excerpt.txt": (parse_sacct, {"format": "fixed"}),
    "sacct/dardel-maxrss-reqmem-nodelist-many-steps-excerpt.log": (parse_sacct, {"format": "fixed"}),
    # headerless: column names and widths come from the same user's
    # a3_a1.sacct (uzh-fixed-width-header-cputime-totalcpu-elapsed.txt)
    "sacct/uzh-headerless-fixed-width-with-name-lines.log":
        (parse_sacct, {"format": "fixed", "columns": UZH_COLUMNS, "widths": [12, 12, 10, 10, 12, 12, 12, 19, 10, 6]}),
    "sacct/uzh-fixed-width-header-cputime-totalcpu-elapsed.txt": (parse_sacct, {"format": "fixed"}),
    "sacct/kabre-parsable2-header-no-jobid-reqmem-suffix-excerpt.csv": (parse_sacct, {"format": "pipe"}),
    "sacct/maxrss-state-zero-rss-steps-excerpt.txt": (parse_sacct, {"format": "fixed"}),
    "sacct/alpine-slurm-23.02.8-json-array-task.json": (parse_sacct_json, {}),
    "sacct/leonardo-parsable2-alloctres-gpu-two-jobs.txt": (parse_sacct, {"format": "pipe"}),
    "sacct/leonardo-parsable2-nodelist-two-jobs.txt": (parse_sacct, {"format": "pipe"}),
    "sacct/leonardo-parsable2-failed-job.txt": (parse_sacct, {"format": "pipe"}),
    "sacct/apel-issue-parsable2-noheader-cputimeraw.txt":
        (parse_sacct, {"format": "pipe", "columns": ["JobID", "JobName", "User", "Group", "Start", "End",
                                                     "Elapsed", "CPUTimeRAW", "Partition", "NCPUS", "NNodes",
                                                     "NodeList", "MaxRSS", "MaxVMSize", "State"]}),
    "sacct/soperator-fixed-width-totalcpu-maxrss-steps.txt": (parse_sacct, {"format": "fixed"}),
    "sacct/nau-reqmem-maxrss-only-no-jobid.txt": (parse_sacct, {"format": "fixed", "no_jobid": "one-job"}),
    # Slurm 22.05.8, captured by this project on its own test cluster (tests/cluster)
    "sacct/slurm-22.05-parsable-trailing-pipe-steps.txt": (parse_sacct, {"format": "pipe"}),
    "sacct/slurm-22.05-parsable2-allocations-only.txt": (parse_sacct, {"format": "pipe"}),
    "sacct/slurm-22.05-parsable2-steps.txt": (parse_sacct, {"format": "pipe"}),
    "sacct/slurm-22.05-default-fixed-width.txt": (parse_sacct, {"format": "fixed"}),
    "sacct/slurm-22.05-fixed-width-efficiency-fields-steps.txt": (parse_sacct, {"format": "fixed"}),
    "sacct/slurm-22.05-noheader-parsable2-list.txt":
        (parse_sacct, {"format": "pipe", "columns": ["JobID", "State", "Elapsed", "TotalCPU", "NCPUS", "MaxRSS", "ReqMem"]}),
    "sacct/slurm-22.05-json.json": (parse_sacct_json, {}),
    "sacct/slurm-22.05-parsable2-tresusageintot-two-task-step.txt": (parse_sacct, {"format": "pipe"}),
    # reportseff 2.10.3 on the same three jobs (tests/integration/efficiency-reportseff.test.ts)
    "reportseff/slurm-22.05-jobs-601-603-cpueff-memeff.txt":
        (parse_reportseff, {"sacct": "sacct/slurm-22.05-parsable2-tresusageintot-two-task-step.txt"}),
    # seff
    "seff/greatlakes-seff-2-nodes.txt": (parse_seff, {}),
    "seff/cluster1-seff-52-cores.txt": (parse_seff, {}),
    # SchedMD's seff of Slurm 22.05.8 on the three jobs of the sacct capture above
    "seff/slurm-22.05.8-seff-601-two-cores.txt": (parse_seff, {}),
    "seff/slurm-22.05.8-seff-602-one-core.txt": (parse_seff, {}),
    "seff/slurm-22.05.8-seff-603-two-tasks.txt": (parse_seff, {}),
    # and on the five jobs of the 22.05 sacct captures of jobs 188-191 (the same cluster)
    "seff/slurm-22.05.8-seff-188-two-cores.txt": (parse_seff, {}),
    "seff/slurm-22.05.8-seff-189-failed.txt": (parse_seff, {}),
    "seff/slurm-22.05.8-seff-190-memory.txt": (parse_seff, {}),
    "seff/slurm-22.05.8-seff-191_1-array-task.txt": (parse_seff, {}),
    "seff/slurm-22.05.8-seff-191_2-array-task.txt": (parse_seff, {}),
    # vLLM
    "vllm/nightly-summary-table-llama33-70b-tp8.json": (parse_vllm, {"mode": "nightly-table"}),
    "vllm/bench-serve-summary-gpt-oss-120b-conc4-no-newline.json": (parse_vllm, {"mode": "bench-serve"}),
    "vllm/inferencex-agg-kimi-k2.5-mi355x-seconds-units.json": (parse_vllm, {"mode": "inferencex-seconds"}),
    "vllm/vllm-ascend-fork-summary-single-request-pretty.json": (parse_vllm, {"mode": "bench-serve"}),
    "vllm/serving-llama33-70b-tp8-qps-inf-detailed-excerpt-through-ttfts.json": (parse_vllm, {"mode": "detailed-excerpt"}),
    # genai-perf (triton-inference-server/perf_analyzer#298) and llmperf (ray-project/llmperf-leaderboard)
    "genai-perf/trtllm-kserve-streaming-c100-unindented-lines.json": (parse_genai_perf, {}),
    "genai-perf/trtllm-kserve-nonstreaming-c100-ttft-equals-latency.json": (parse_genai_perf, {}),
    "llmperf/leaderboard-groq-llama2-70b-c5-string-token-counts.json": (parse_llmperf, {}),
    "llmperf/leaderboard-replicate-llama2-70b-c5-short-outputs.json": (parse_llmperf, {}),
    # trainer
    "trainer-state/tf-new-lora-distilbert-eval-per-epoch-no-best.json": (parse_trainer_state, {}),
    "trainer-state/tf-old-bert-100-epochs-train-summary-no-eval.json": (parse_trainer_state, {}),
    "trainer-state/tf-4x-vit-best-metric-eval-loss.json": (parse_trainer_state, {}),
    "trainer-state/tf-new-windows-crlf-path-best-f1-unrounded-loss.json": (parse_trainer_state, {}),
    "trainer-stdout/windows-rtx3050-cp866-mojibake-interrupted.log": (parse_trainer_stdout, {}),
    "trainer-stdout/trl-sft-ddp-2gpu-tqdm-cr-swanlab-excerpt.log": (parse_trainer_stdout, {}),
    "trainer-stdout/llamafactory-qwen3-lora-wrapped-tqdm-tail-excerpt.log": (parse_trainer_stdout, {}),
}


def main():
    on_disk = set()
    for d in sorted(os.listdir(CORPUS)):
        p = os.path.join(CORPUS, d)
        if os.path.isdir(p):
            for f in sorted(os.listdir(p)):
                on_disk.add(d + "/" + f)
    missing = sorted(on_disk - set(FILES))
    gone = sorted(set(FILES) - on_disk)
    if missing or gone:
        sys.exit("corpus and FILES disagree: unhandled %s, absent %s" % (missing, gone))
    refs = {}
    for rel in sorted(FILES):
        fn, spec = FILES[rel]
        refs[rel] = fn(rel, spec)
    doc = {
        "generated_by": "scripts/real-corpus/reference.py (python3 + numpy %s)" % np.__version__,
        "conventions": {
            "absent": "null means the file does not contain the figure (never 0)",
            "percentiles": "numpy.percentile, default linear interpolation",
            "nvidia_smi_units": "utilization %, memory MiB, power W",
            "sacct_memory": "bytes; K/M/G/T suffixes are powers of 1024; cpu_efficiency = TotalCPU / (Elapsed x NCPUS)",
        },
        "files": refs,
    }
    new = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        old = open(OUT).read() if os.path.exists(OUT) else ""
        sys.exit(0 if old == new else "references.json is out of date")
    with open(OUT, "w") as fh:
        fh.write(new)
    print("wrote %s (%d files)" % (os.path.relpath(OUT, ROOT), len(refs)))


if __name__ == "__main__":
    main()
