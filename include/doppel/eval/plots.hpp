// Plots of an evaluation, drawn by gnuplot from data files and one script written
// beside them (so a plot can be re-run or restyled by hand): per-column histograms,
// ACF curves, sequence lengths, daily totals of dated data and example sequences.
#pragma once
#include <string>
#include <vector>

#include "doppel/eval/evaluate.hpp"

namespace doppel::eval {

struct Plot {
  std::string file;   // PNG file name inside the output directory
  std::string title;
};

// The PNG terminal gnuplot offers ("pngcairo" preferred, else "png"); throws Error
// when gnuplot is not installed or has neither terminal.
std::string gnuplot_png_terminal();

// Writes DIR/plots/*.dat, DIR/plots.gp and DIR/*.png; returns the plots made, in
// report order. Throws Error (with gnuplot's output) when gnuplot fails.
std::vector<Plot> write_plots(const Evaluation& evaluation, const std::string& dir);

}  // namespace doppel::eval
