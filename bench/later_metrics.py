"""The later-weeks metrics that bench/seed_table.py and bench/convergence_plot.py read from a
metrics.json (doppel evaluate): (column label, plot label, extractor). An extractor returns
None where the file has no such metric (written before it existed, or skipped)."""


def _get(m, *keys):
    for k in keys:
        if not isinstance(m, dict) or k not in m:
            return None
        m = m[k]
    return m


def _horizon(k):
    return lambda m: (_get(m, "utility", "by_horizon") or [{}] * 2)[k].get("ratio")


METRICS = [("similarity", "similarity (higher is better)", lambda m: _get(m, "similarity", "score")),
           ("autocorrelation", "autocorrelation (higher is better)", lambda m: _get(m, "autocorrelation", "score")),
           ("utility h=1", "utility ratio h=1 (lower is better)", _horizon(0)),
           ("utility h=24", "utility ratio h=24 (lower is better)", _horizon(1)),
           ("discriminative", "discriminative (lower is better)", lambda m: _get(m, "discriminative", "score")),
           ("cell max/min", "cell-boundary max/min (real: 1)",
            lambda m: _get(m, "cell_boundary", "max_over_min_synthetic")),
           ("calendar corr.", "calendar profile correlation (higher is better)",
            lambda m: _get(m, "calendar", "correlation")),
           ("calendar shift h", None, lambda m: _get(m, "calendar", "best_shift_steps"))]
