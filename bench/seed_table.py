#!/usr/bin/env python3
"""One Markdown table of the later-weeks metrics: a row per (group, seed) and a mean row per group.

    python3 bench/seed_table.py "0 1 2" DIR                 # rows: seed (DIR/seed-S/eval/metrics.json)
    python3 bench/seed_table.py "0 1 2" NAME=DIR NAME=DIR   # rows: group, seed

Columns: similarity and autocorrelation (higher is better); utility ratio TSTR / TRTR MAE at the
horizons of eval.utility_horizons and the discriminative score (lower is better); the
cell-boundary max/min of the step change by cell position (the real one is printed below the
table); the calendar profile's correlation with the real one and its best shift in hours; whether any synthetic value leaves the real range; training seconds.
"""
import json, os, statistics, sys

from later_metrics import METRICS

COLUMNS = [(label, f) for label, _, f in METRICS] + [
    ("outside real range", lambda m: m["range"]["outside"])]


def fmt(v):
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def main():
    seeds = sys.argv[1].split()
    groups = [a.split("=", 1) if "=" in a else ["", a] for a in sys.argv[2:]]
    named = any(name for name, _ in groups)
    head = (["group"] if named else []) + ["seed"] + [c for c, _ in COLUMNS] + ["train s"]
    print("| " + " | ".join(head) + " |")
    print("|---" * len(head) + "|")
    last = None
    for name, d in groups:
        rows = []
        for s in seeds:
            m = last = json.load(open(os.path.join(d, f"seed-{s}", "eval", "metrics.json")))
            seconds = int(open(os.path.join(d, f"seed-{s}", "train_seconds")).read())
            rows.append([f(m) for _, f in COLUMNS] + [seconds])
            print("| " + " | ".join(([name] if named else []) + [s] + [fmt(v) for v in rows[-1]]) + " |")
        mean = [any(r[k] for r in rows) if isinstance(rows[0][k], bool) else
                None if any(r[k] is None for r in rows) else statistics.mean(float(r[k]) for r in rows)
                for k in range(len(rows[0]))]
        mean[-1] = round(mean[-1])  # seconds
        print("| " + " | ".join(([f"**{name}**"] if named else []) + ["mean"] + [fmt(v) for v in mean]) + " |")
    u = last["utility"]["by_horizon"]
    print(f"\nReal data: cell-boundary max/min {last['cell_boundary']['max_over_min_real']:.3f}; " +
          "; ".join(f"h={h['horizon']}: TRTR MAE {h['error_real']:.1f}, persistence {h['error_persistence']:.1f}, "
                    f"seasonal-naive {h['error_seasonal_naive']:.1f}" for h in u))


if __name__ == "__main__":
    main()
