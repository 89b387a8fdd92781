#!/usr/bin/env python3
"""Shape statistics of one feature in exported long CSVs (doppel export): per data set the mean
absolute change over one step |Δ1|, its second difference |Δ²| and the change over PERIOD steps
|Δp| (a day of hourly data repeats the day before: real traffic weeks have |Δ24| close to |Δ1|).

    python3 bench/shape_stats.py [--column traffic_volume] [--period 24] [--every 168] REAL.csv SYN.csv ...

The first file is real data, exported from a prepared windows file: only every --every-th
window is read, so that overlapping windows do not count the same hours many times. The
others are generated files (sequence_id), read up to --max sequences each.
"""
import argparse, csv, statistics


def read(path, every, limit, column):
    seqs, idcol = {}, None
    with open(path) as f:
        for row in csv.DictReader(f):
            idcol = idcol or ("window_id" if "window_id" in row else "sequence_id")
            i = int(row[idcol])
            if i % every:
                continue
            if i not in seqs and len(seqs) >= limit:
                break
            seqs.setdefault(i, []).append(float(row[column]))
    return list(seqs.values())


def mean_abs(seqs, f, start):
    return statistics.mean(abs(f(s, t)) for s in seqs for t in range(start, len(s)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+")
    p.add_argument("--column", default="traffic_volume")
    p.add_argument("--period", type=int, default=24)
    p.add_argument("--every", type=int, default=168, help="real windows: read one in this many")
    p.add_argument("--max", type=int, default=2000, help="sequences read per file")
    a = p.parse_args()
    print(f"| data | sequences | |Δ1| | |Δ²| | |Δ{a.period}| |")
    print("|---|---|---|---|---|")
    for k, path in enumerate(a.files):
        seqs = read(path, a.every if k == 0 else 1, a.max, a.column)
        d1 = mean_abs(seqs, lambda s, t: s[t] - s[t - 1], 1)
        d2 = mean_abs(seqs, lambda s, t: s[t] - 2 * s[t - 1] + s[t - 2], 2)
        dp = mean_abs(seqs, lambda s, t: s[t] - s[t - a.period], a.period)
        print(f"| {path} | {len(seqs)} | {d1:.0f} | {d2:.0f} | {dp:.0f} |")


if __name__ == "__main__":
    main()
