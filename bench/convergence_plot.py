#!/usr/bin/env python3
"""Each later-weeks metric against the training step, the mean over seeds, a line per group.

    python3 bench/convergence_plot.py OUT.png "0 1 2" NAME=DIR [NAME=DIR ...]

Reads DIR/seed-S/eval-step-NNNNNNNN/metrics.json (bench/train_generate_evaluate.sh with
EVERY_CHECKPOINT=1), writes OUT.dat (a block per group: step, then the metrics) and OUT.gp
beside the PNG, and runs gnuplot.
"""
import glob, json, os, re, statistics, subprocess, sys

from later_metrics import METRICS as ALL

# Plotted: the metrics with a plot label and a value in every file.
METRICS = [(title, f) for _, title, f in ALL if title]


def main():
    png, seeds, groups = sys.argv[1], sys.argv[2].split(), [a.split("=", 1) for a in sys.argv[3:]]
    base = os.path.splitext(png)[0]
    measured = [False] * len(METRICS)
    with open(base + ".dat", "w") as dat:
        for name, d in groups:
            by_step = {}
            for s in seeds:
                for f in glob.glob(os.path.join(d, f"seed-{s}", "eval-step-*", "metrics.json")):
                    step = int(re.search(r"eval-step-(\d+)", f).group(1))
                    m = json.load(open(f))
                    by_step.setdefault(step, []).append([g(m) for _, g in METRICS])
            if not by_step:
                sys.exit(f"convergence_plot: no eval-step-*/metrics.json under {d}")
            dat.write(f"# {name}: step, mean over seeds of: " + ", ".join(t for t, _ in METRICS) + "\n")
            for step in sorted(by_step):
                rows = by_step[step]
                for k in range(len(METRICS)):
                    measured[k] = measured[k] or all(r[k] is not None for r in rows)
                dat.write(f"{step} " + " ".join("NaN" if any(r[k] is None for r in rows) else
                                                f"{statistics.mean(r[k] for r in rows):.5g}"
                                                for k in range(len(METRICS))) + "\n")
            dat.write("\n\n")
    terminal = "pngcairo" if "pngcairo" in subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True,
                                                           text=True).stderr else "png"
    with open(base + ".gp", "w") as gp:
        shown = [k for k in range(len(METRICS)) if measured[k]]  # metrics older files lack are left out
        plot_rows = (len(shown) + 2) // 3
        gp.write(f"set terminal {terminal} size 1500,{450 * plot_rows}\nset output '{png}'\n"
                 f"set multiplot layout {plot_rows},3 title 'Generator learning-rate schedules: mean over seeds {' '.join(seeds)}'\n"
                 "set key noenhanced opaque box\nset grid\nset xlabel 'training step'\n")
        for k in shown:
            title = METRICS[k][0]
            # the key where the lines are not: improving metrics rise to the right or fall to it
            gp.write(f"set key {'bottom' if 'higher' in title else 'top'} right\n")
            gp.write(f"set title '{title}' noenhanced\nplot " + ", ".join(
                f"'{base}.dat' index {i} using 1:{k + 2} with linespoints title '{name}'"
                for i, (name, _) in enumerate(groups)) + "\n")
        gp.write("unset multiplot\n")
    subprocess.run(["gnuplot", base + ".gp"], check=True)


if __name__ == "__main__":
    main()
