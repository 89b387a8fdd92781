// Entity sequences (bank transactions): rows grouped by the id column and sorted by
// time within it become one sequence per entity. Longer than max_len: "split" makes
// consecutive pieces (each piece's attributes are taken from its own rows, and the
// initial balance of a later piece is the balance before its first event, so the
// balance identity still holds), "truncate" keeps the first max_len events.
#include <unordered_set>

#include "doppel/data/csv_reader.hpp"
#include "doppel/error.hpp"
#include "id_set.hpp"
#include "prepare_internal.hpp"

namespace doppel {

namespace {

struct Row {
  int64_t time;
  int64_t line;
  std::vector<Cell> cells;  // one per input column used (indexed like `inputs`)
};

}  // namespace

nlohmann::json traverse_sequences(const Traversal& t, PrepareSink& sink) {
  const Config& c = t.config;
  std::string path = c.string("data.input");
  CsvReader csv(path);
  std::string id_name = c.string("data.id_column"), time_name = c.string("data.time_column");
  if (id_name.empty()) throw Error(c.origin() + ": data.id_column is required for kind = \"sequences\"");
  if (time_name.empty()) throw Error(c.origin() + ": data.time_column is required");
  int id_col = csv.column(id_name), time_col = csv.column(time_name);
  std::string fmt = c.string("data.time_format");
  int64_t max_len = c.integer("data.max_len");
  if (max_len < 1) throw Error(c.origin() + ": data.max_len must be >= 1");
  std::string long_policy = c.string("data.long_sequences");
  if (long_policy != "split" && long_policy != "truncate")
    throw Error(c.origin() + ": data.long_sequences must be 'split' or 'truncate'");
  std::string missing = c.string("data.missing");
  if (missing != "error" && missing != "previous")
    throw Error(c.origin() + ": data.missing must be 'error' or 'previous'");
  double test_fraction = c.number("data.test_fraction");
  double public_fraction = c.number("data.public_fraction");
  uint64_t seed = uint64_t(c.integer("data.seed"));

  // Input columns read per row: every non-derived spec (attributes and features).
  struct Input {
    int col;
    bool categorical;
  };
  std::vector<Input> inputs;
  auto bind = [&](const ColumnSpec& s) -> int {
    if (s.derived) return -1;
    inputs.push_back({csv.column(s.source), s.categorical()});
    return int(inputs.size() - 1);
  };
  std::vector<int> attr_in, feat_in;
  for (const auto& s : t.attributes) attr_in.push_back(bind(s));
  for (const auto& s : t.features) feat_in.push_back(bind(s));

  // Balance continuity for split pieces.
  std::string bal_init = c.string("data.balance_initial"), bal_amount = c.string("data.balance_amount");
  int bal_attr = -1, bal_feat = -1;
  for (size_t i = 0; i < t.attributes.size(); ++i)
    if (!bal_init.empty() && t.attributes[i].name == bal_init) bal_attr = int(i);
  for (size_t i = 0; i < t.features.size(); ++i)
    if (!bal_amount.empty() && t.features[i].name == bal_amount) bal_feat = int(i);

  int64_t rows = 0, entities = 0, pieces_split = 0, truncated_events = 0, sequences = 0;
  int64_t entities_train = 0, entities_test = 0, entities_public = 0;
  IdSet seen;
  std::string current;
  std::vector<Row> group;
  RowProgress progress(t);

  auto flush = [&]() {
    if (group.empty()) return;
    ++entities;
    // One hash per entity: [0, test) -> test, [test, test + public) -> public, the rest train.
    const double h = split_hash(current, seed);
    uint8_t split = h < test_fraction ? 1 : h < test_fraction + public_fraction ? 2 : 0;
    (split == 1 ? entities_test : split == 2 ? entities_public : entities_train)++;
    size_t n = group.size();
    if (long_policy == "truncate" && int64_t(n) > max_len) {
      truncated_events += int64_t(n) - max_len;
      n = size_t(max_len);
    }
    double balance_offset = 0;
    for (size_t begin = 0; begin < n; begin += size_t(max_len)) {
      size_t end = std::min(n, begin + size_t(max_len));
      if (begin > 0) ++pieces_split;
      std::vector<Cell> attrs(t.attributes.size());
      for (size_t a = 0; a < t.attributes.size(); ++a) {
        const auto& s = t.attributes[a];
        if (s.derived) {
          attrs[a] = derived_start_cell(s.source, group[begin].time);
        } else {
          const Row& r = s.summary == "last" ? group[end - 1] : group[begin];
          attrs[a] = r.cells[attr_in[a]];
        }
      }
      if (bal_attr >= 0 && bal_feat >= 0 && feat_in[bal_feat] >= 0) attrs[bal_attr].num += balance_offset;
      std::vector<std::vector<Cell>> steps(end - begin, std::vector<Cell>(t.features.size()));
      for (size_t k = begin; k < end; ++k) {
        for (size_t f = 0; f < t.features.size(); ++f) {
          const auto& s = t.features[f];
          if (s.source == "@delta") {
            steps[k - begin][f].num = k == begin ? 0.0 : double(group[k].time - group[k - 1].time);
          } else {
            steps[k - begin][f] = group[k].cells[feat_in[f]];
          }
        }
        if (bal_feat >= 0 && feat_in[bal_feat] >= 0) balance_offset += group[k].cells[feat_in[bal_feat]].num;
      }
      sink.sequence(attrs, steps, split, group[begin].time);
      ++sequences;
    }
    group.clear();
  };

  while (csv.next()) {
    ++rows;
    progress.tick(rows);
    const std::string& id = csv.field(id_col);
    if (id.empty()) throw Error(csv.where(id_col) + ": empty id");
    int64_t time = parse_time(csv.field(time_col), fmt, csv.where(time_col));
    if (id != current) {
      flush();
      if (!seen.insert(id))
        throw Error(path + ": line " + std::to_string(csv.line()) + ": rows of " + id_name + " '" + id +
                    "' are not contiguous (the input must be grouped by " + id_name + ")");
      current = id;
    } else if (time < group.back().time) {
      throw Error(csv.where(time_col) + ": timestamps of " + id_name + " '" + id +
                  "' are not sorted (" + csv.field(time_col) + " after a later one on line " +
                  std::to_string(group.back().line) + ")");
    }
    Row r{time, csv.line(), std::vector<Cell>(inputs.size())};
    for (size_t i = 0; i < inputs.size(); ++i) {
      Cell& cell = r.cells[i];
      bool miss = false;
      if (inputs[i].categorical) {
        cell.text = csv.field(inputs[i].col);
        miss = cell.text.empty();
      } else {
        cell.num = csv.number(inputs[i].col, &miss);
      }
      if (miss) {
        if (missing == "previous" && !group.empty()) cell = group.back().cells[i];
        else
          throw Error(csv.where(inputs[i].col) + ": empty or NaN value" +
                      (missing == "previous" ? " on the first row of its id (nothing to repeat)"
                                             : " (set data.missing = \"previous\" to impute)"));
      }
    }
    group.push_back(std::move(r));
  }
  flush();
  if (rows == 0) throw Error(path + ": no data rows (only a header)");
  progress.done(rows);
  return {{"rows", rows},
          {"entities", entities},
          {"sequences", sequences},
          {"entities_train", entities_train},
          {"entities_test", entities_test},
          {"entities_public", entities_public},
          {"long_sequence_policy", long_policy},
          {"extra_pieces_from_split", pieces_split},
          {"events_dropped_by_truncate", truncated_events}};
}

}  // namespace doppel
