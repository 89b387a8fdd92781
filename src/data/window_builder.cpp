// Sliding windows over long series (traffic). Per series (one per id, or one in all):
//  1. duplicate timestamps: `first` keeps the first row, `error` rejects;
//  2. timestamps must fall on the step grid of the series' first timestamp;
//  3. gaps of up to max_gap_fill missing steps are filled (numeric: linear
//     interpolation between the neighbours; categorical: the previous value);
//     longer gaps split the series into segments, so no window spans them;
//  4. windows of `window` steps every `stride` steps inside each segment;
//  5. test split: the windows starting at or after data.test_from, or else the last
//     test_fraction of the series' time range; windows that straddle the cut are
//     dropped (and counted) so overlapping windows never leak across it;
//     likewise the first public_fraction becomes the public split (2).
// Window attributes summarise the window's rows (first/mean/max/min/sum for
// numbers; first/mode/any:<default> for labels) or derive from its start time.
#include <algorithm>
#include <cmath>
#include <map>

#include "doppel/data/csv_reader.hpp"
#include "doppel/error.hpp"
#include "id_set.hpp"
#include "prepare_internal.hpp"

namespace doppel {

namespace {

struct Input {
  int col;
  bool categorical;
};

Cell summarise(const std::string& summary, const std::vector<std::vector<Cell>>& rows, size_t begin,
               size_t end, int input, bool categorical) {
  if (summary == "first") return rows[begin][input];
  if (categorical) {
    if (summary.rfind("any:", 0) == 0) {
      std::string def = summary.substr(4);
      for (size_t k = begin; k < end; ++k)
        if (rows[k][input].text != def) return rows[k][input];
      Cell c;
      c.text = def;
      return c;
    }
    std::map<std::string, std::pair<int, size_t>> counts;  // label -> (count, first position)
    for (size_t k = begin; k < end; ++k) {
      auto& e = counts[rows[k][input].text];
      if (e.first++ == 0) e.second = k;
    }
    const std::string* best = nullptr;
    std::pair<int, size_t> best_v{-1, 0};
    for (const auto& [label, v] : counts)
      if (v.first > best_v.first || (v.first == best_v.first && v.second < best_v.second)) {
        best = &label;
        best_v = v;
      }
    Cell c;
    c.text = *best;
    return c;
  }
  double acc = summary == "max" ? -INFINITY : summary == "min" ? INFINITY : 0.0;
  for (size_t k = begin; k < end; ++k) {
    double v = rows[k][input].num;
    if (summary == "max") acc = std::max(acc, v);
    else if (summary == "min") acc = std::min(acc, v);
    else acc += v;
  }
  Cell c;
  c.num = summary == "mean" ? acc / double(end - begin) : acc;
  return c;
}

}  // namespace

nlohmann::json traverse_windows(const Traversal& t, PrepareSink& sink) {
  const Config& c = t.config;
  std::string path = c.string("data.input");
  CsvReader csv(path);
  std::string id_name = c.string("data.id_column"), time_name = c.string("data.time_column");
  if (time_name.empty()) throw Error(c.origin() + ": data.time_column is required");
  int id_col = id_name.empty() ? -1 : csv.column(id_name);
  int time_col = csv.column(time_name);
  std::string fmt = c.string("data.time_format");
  const int64_t W = c.integer("data.window"), stride = c.integer("data.stride");
  const int64_t step = c.integer("data.step_seconds"), max_fill = c.integer("data.max_gap_fill");
  if (W < 2) throw Error(c.origin() + ": data.window must be >= 2");
  if (stride < 1) throw Error(c.origin() + ": data.stride must be >= 1");
  if (step < 1) throw Error(c.origin() + ": data.step_seconds must be >= 1");
  if (max_fill < 0) throw Error(c.origin() + ": data.max_gap_fill must be >= 0");
  std::string dup = c.string("data.duplicates"), missing = c.string("data.missing");
  if (dup != "first" && dup != "error") throw Error(c.origin() + ": data.duplicates must be 'first' or 'error'");
  if (missing != "error" && missing != "previous")
    throw Error(c.origin() + ": data.missing must be 'error' or 'previous'");
  double test_fraction = c.number("data.test_fraction");
  // data.test_from: a fixed time instead of a fraction, the same for every series, so the
  // test split is the data that came later (evaluation on weeks the model never saw).
  const std::string test_from_text = c.string("data.test_from");
  const bool by_time = !test_from_text.empty();
  const int64_t test_from = by_time ? parse_time(test_from_text, fmt, c.origin() + ": data.test_from") : 0;
  double public_fraction = c.number("data.public_fraction");

  std::vector<Input> inputs;
  std::map<std::string, int> input_of;
  auto bind = [&](const ColumnSpec& s) -> int {
    if (s.derived) return -1;
    std::string key = s.source + (s.categorical() ? "#c" : "#n");
    auto it = input_of.find(key);
    if (it != input_of.end()) return it->second;
    inputs.push_back({csv.column(s.source), s.categorical()});
    return input_of[key] = int(inputs.size() - 1);
  };
  std::vector<int> attr_in, feat_in;
  for (const auto& s : t.attributes) attr_in.push_back(bind(s));
  for (const auto& s : t.features) feat_in.push_back(bind(s));

  int64_t rows = 0, series_count = 0, duplicates = 0, gaps_filled = 0, steps_filled = 0, segments = 0,
          windows_train = 0, windows_test = 0, windows_public = 0, windows_dropped = 0, short_segments = 0, long_gap_count = 0;
  nlohmann::json long_gaps = nlohmann::json::array();
  RowProgress progress(t);

  std::string current;
  bool have_current = false;
  std::vector<int64_t> times;
  std::vector<int64_t> lines;
  std::vector<std::vector<Cell>> cells;

  auto flush = [&]() {
    if (times.empty()) return;
    ++series_count;
    int64_t t_first = times.front(), t_last = times.back();
    double cut = by_time ? double(test_from) : double(t_first) + (1.0 - test_fraction) * double(t_last - t_first);
    double public_cut = double(t_first) + public_fraction * double(t_last - t_first);
    std::vector<std::vector<Cell>> seg;
    int64_t seg_t0 = t_first;
    auto emit_segment = [&]() {
      if (seg.empty()) return;
      ++segments;
      if (int64_t(seg.size()) < W) {
        ++short_segments;
        seg.clear();
        return;
      }
      std::vector<std::vector<Cell>> feats(seg.size(), std::vector<Cell>(t.features.size()));
      for (size_t k = 0; k < seg.size(); ++k)
        for (size_t f = 0; f < t.features.size(); ++f) feats[k][f] = seg[k][feat_in[f]];
      int64_t base = sink.series(feats);
      for (int64_t s = 0; s + W <= int64_t(seg.size()); s += stride) {
        int64_t ws = seg_t0 + s * step, we = ws + (W - 1) * step;
        uint8_t split;
        if (public_fraction > 0 && double(ws) < public_cut) {
          // A public window must not depend on any row at or after the cut: it would straddle
          // it, or its last steps could be filled by interpolating towards such a row (gaps of
          // up to max_gap_fill steps), so keep (max_gap_fill + 1) steps of margin.
          if (double(we + (max_fill + 1) * step) >= public_cut) {
            ++windows_dropped;
            continue;
          }
          split = 2;
        } else if (double(we) < cut || (!by_time && test_fraction <= 0)) {
          split = 0;
        } else if (double(ws) >= cut) {
          split = 1;
        } else {
          ++windows_dropped;
          continue;
        }
        std::vector<Cell> attrs(t.attributes.size());
        for (size_t a = 0; a < t.attributes.size(); ++a) {
          const auto& spec = t.attributes[a];
          attrs[a] = spec.derived ? derived_start_cell(spec.source, ws)
                                  : summarise(spec.summary, seg, size_t(s), size_t(s + W), attr_in[a],
                                              spec.categorical());
        }
        sink.window(attrs, base + s, split, ws);
        (split == 1 ? windows_test : split == 2 ? windows_public : windows_train)++;
      }
      seg.clear();
    };
    seg.push_back(cells[0]);
    for (size_t k = 1; k < times.size(); ++k) {
      int64_t diff = times[k] - times[k - 1];
      if (diff % step != 0)
        throw Error(path + ": line " + std::to_string(lines[k]) + ": timestamp is off the " +
                    std::to_string(step) + "-second grid of the series (data.step_seconds)");
      int64_t gap = diff / step - 1;
      if (gap == 0) {
        seg.push_back(cells[k]);
      } else if (gap <= max_fill) {
        ++gaps_filled;
        steps_filled += gap;
        for (int64_t g = 1; g <= gap; ++g) {
          double w = double(g) / double(gap + 1);
          std::vector<Cell> row(inputs.size());
          for (size_t i = 0; i < inputs.size(); ++i) {
            if (inputs[i].categorical) row[i] = cells[k - 1][i];
            else row[i].num = (1 - w) * cells[k - 1][i].num + w * cells[k][i].num;
          }
          seg.push_back(std::move(row));
        }
        seg.push_back(cells[k]);
      } else {
        ++long_gap_count;
        long_gaps.push_back({{"series", current},
                             {"from", format_time(times[k - 1], "%Y-%m-%d %H:%M:%S")},
                             {"to", format_time(times[k], "%Y-%m-%d %H:%M:%S")},
                             {"missing_steps", gap}});
        if (long_gaps.size() > 10) {  // report the ten longest gaps
          auto shortest = std::min_element(long_gaps.begin(), long_gaps.end(), [](const auto& a, const auto& b) {
            return a["missing_steps"].template get<int64_t>() < b["missing_steps"].template get<int64_t>();
          });
          long_gaps.erase(shortest);
        }
        emit_segment();
        seg_t0 = times[k];
        seg.push_back(cells[k]);
      }
    }
    emit_segment();
    times.clear();
    lines.clear();
    cells.clear();
  };

  IdSet seen;
  while (csv.next()) {
    ++rows;
    progress.tick(rows);
    std::string id = id_col >= 0 ? csv.field(id_col) : std::string();
    if (id_col >= 0 && id.empty()) throw Error(csv.where(id_col) + ": empty id");
    int64_t time = parse_time(csv.field(time_col), fmt, csv.where(time_col));
    if (!have_current || id != current) {
      flush();
      if (!seen.insert(id))
        throw Error(path + ": line " + std::to_string(csv.line()) + ": rows of " + id_name + " '" + id +
                    "' are not contiguous (the input must be grouped by " + id_name + ")");
      current = id;
      have_current = true;
    } else if (time < times.back()) {
      throw Error(csv.where(time_col) + ": timestamps are not sorted (" + csv.field(time_col) +
                  " after a later one on line " + std::to_string(lines.back()) + ")");
    } else if (time == times.back()) {
      if (dup == "error")
        throw Error(csv.where(time_col) + ": duplicate timestamp " + csv.field(time_col) +
                    " (also on line " + std::to_string(lines.back()) + "; set data.duplicates = \"first\")");
      ++duplicates;
      continue;
    }
    std::vector<Cell> row(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      bool miss = false;
      if (inputs[i].categorical) {
        row[i].text = csv.field(inputs[i].col);
        miss = row[i].text.empty();
      } else {
        row[i].num = csv.number(inputs[i].col, &miss);
      }
      if (miss) {
        if (missing == "previous" && !cells.empty()) row[i] = cells.back()[i];
        else
          throw Error(csv.where(inputs[i].col) + ": empty or NaN value" +
                      (missing == "previous" ? " on the first row of its series (nothing to repeat)"
                                             : " (set data.missing = \"previous\" to impute)"));
      }
    }
    times.push_back(time);
    lines.push_back(csv.line());
    cells.push_back(std::move(row));
  }
  flush();
  if (rows == 0) throw Error(path + ": no data rows (only a header)");
  progress.done(rows);
  return {{"rows", rows},
          {"series", series_count},
          {"duplicate_rows_dropped", duplicates},
          {"gaps_filled", gaps_filled},
          {"steps_filled", steps_filled},
          {"segments", segments},
          {"segments_shorter_than_window", short_segments},
          {"gaps_splitting_series", long_gap_count},
          {"long_gaps", long_gaps},
          {"windows_train", windows_train},
          {"windows_test", windows_test},
          {"windows_public", windows_public},
          {"windows_dropped_at_split", windows_dropped}};
}

}  // namespace doppel
