#!/usr/bin/env python3
"""Time-weighted GPU utilization references for tests/unit/profile/gpu/gpu-mean-definitions.test.ts.

Independent of hpcbench: reads a --query-gpu CSV with the csv module and numpy.
Time-weighted mean = trapezoidal integral of utilization over time / the time integrated
(numpy.trapezoid), over consecutive samples (these files have no missing values and no
sampling gap longer than 5 intervals and 10 s). Busy fraction at threshold T = mean(util > T).
Pooled over files (each file one GPU): sum of integrals / sum of integrated times, and the
sample mean of all samples together.
"""
import csv
import datetime as dt
import json
import sys

import numpy as np

ROOT = 'tests/fixtures/real/nvidia-smi-query/'
FILES = ['gpu80g-mem-util-15s-excerpt.csv', 'v100s-pcie32-header-units-1s.csv']


def read(name):
    with open(ROOT + name, newline='') as f:
        rows = list(csv.reader(f, skipinitialspace=True))
    header = [h.split(' [')[0] for h in rows[0]]
    ti, ui = header.index('timestamp'), header.index('utilization.gpu')
    # Whole milliseconds since the first sample, as integers: seconds since 1970 as floats would
    # lose digits in numpy.trapezoid's differences (a relative error near 1e-10).
    times = [dt.datetime.strptime(r[ti], '%Y/%m/%d %H:%M:%S.%f') for r in rows[1:]]
    ms = [(x - times[0]) // dt.timedelta(milliseconds=1) for x in times]
    t = np.array(ms, dtype=np.float64) / 1000
    u = np.array([float(r[ui].split()[0]) for r in rows[1:]])
    return t, u


out = {}
integrals, spans, everything = [], [], []
for name in FILES:
    t, u = read(name)
    d = np.diff(t)
    assert (d > 0).all(), name
    integral, span = float(np.trapezoid(u, t)), float(t[-1] - t[0])
    integrals.append(integral)
    spans.append(span)
    everything.append(u)
    out[name] = {
        'n': len(u), 'mean': float(u.mean()), 'time_weighted_mean': integral / span,
        'max_interval_s': float(d.max()), 'median_interval_s': float(np.median(d)),
        'busy_fraction': {str(T): float((u > T).mean()) for T in (0, 10, 50)},
    }
pooled = np.concatenate(everything)
out['pooled'] = {
    'n': len(pooled), 'mean': float(pooled.mean()), 'time_weighted_mean': sum(integrals) / sum(spans),
    'mean_of_time_weighted_means': float(np.mean([i / s for i, s in zip(integrals, spans)])),
    'busy_fraction': {str(T): float((pooled > T).mean()) for T in (0, 10, 50)},
}
json.dump(out, sys.stdout, indent=2)
print()
