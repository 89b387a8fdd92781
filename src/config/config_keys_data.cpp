// Documented configuration keys of the data pipeline (`doppel prepare`).
#include "doppel/config/config.hpp"

namespace doppel {

std::vector<KeySpec> data_key_specs() {
  using T = KeyType;
  return {
      {"data.kind", T::String, "\"windows\"",
       "`windows`: sliding windows over long series (traffic); `sequences`: one variable-length "
       "sequence per entity (bank accounts)"},
      {"data.input", T::String, "\"\"", "input CSV (relative paths are relative to the working directory)"},
      {"data.output", T::String, "\"\"", "output HDF5 file of `prepare` (`--out` overrides)"},
      {"data.id_column", T::String, "\"\"",
       "column that names the entity (sequences) or the sensor (windows); empty: one series"},
      {"data.time_column", T::String, "\"\"", "timestamp column; rows must be sorted by it within an id"},
      {"data.time_format", T::String, "\"%Y-%m-%d %H:%M:%S\"",
       "strptime format of the timestamps (UTC); `epoch` for integer seconds"},
      {"data.max_len", T::Integer, "100", "sequences: maximum sequence length L"},
      {"data.long_sequences", T::String, "\"split\"",
       "sequences longer than max_len: `split` into consecutive pieces (each a sequence) or `truncate`"},
      {"data.window", T::Integer, "168", "windows: steps per window (168 hourly steps = one week)"},
      {"data.stride", T::Integer, "24", "windows: steps between window starts"},
      {"data.step_seconds", T::Integer, "3600", "windows: the series' step; timestamps must fall on it"},
      {"data.duplicates", T::String, "\"first\"",
       "windows: rows with the same timestamp: `first` keeps the first, `error` rejects them"},
      {"data.max_gap_fill", T::Integer, "3",
       "windows: gaps of up to this many missing steps are filled (numeric: linear interpolation, "
       "categorical: previous value); longer gaps split the series so no window spans them"},
      {"data.missing", T::String, "\"error\"",
       "empty or NaN cells: `error` names file, row and column; `previous` repeats the previous "
       "row's value of the same id (the first row of an id still errors)"},
      {"data.test_fraction", T::Float, "0.1",
       "held-out test split: sequences: this fraction of entities (chosen by seeded hash); windows: "
       "the last fraction of each series' time range (windows straddling the cut are dropped)"},
      {"data.test_from", T::String, "\"\"",
       "windows: held-out test split by time: the windows starting at or after this timestamp (in "
       "data.time_format) are the test split, windows that straddle it are dropped and counted "
       "(`windows_dropped_at_split`); replaces data.test_fraction. Empty: use data.test_fraction"},
      {"data.public_fraction", T::Float, "0",
       "public split (split 2) for public pretraining (docs/privacy.md): sequences: this fraction of "
       "entities (seeded hash, disjoint from the test entities); windows: the FIRST fraction of each "
       "series' time range (windows ending within max_gap_fill + 1 steps of the cut are dropped). "
       "Training uses it only with "
       "train.split = \"public\"; evaluation ignores it. 0: none"},
      {"data.seed", T::Integer, "0", "seed of the test- and public-split choice"},
      {"data.quantile_sample", T::Integer, "200000",
       "rows kept (reservoir sample) per binned column to fit quantile bin edges"},
      {"data.chunk", T::Integer, "1024", "HDF5 chunk size in sequences (or series rows × 64)"},
      {"data.compression", T::Integer, "1", "gzip level of the HDF5 datasets (0 = none; 1 is twice as fast as 4 on one-hot data for ~10% more bytes)"},
      {"data.balance_column", T::String, "\"\"",
       "sequences: name of a running-balance column rebuilt on decode (bank data: `balance`); empty: none"},
      {"data.balance_initial", T::String, "\"\"", "attribute holding the initial balance"},
      {"data.balance_amount", T::String, "\"\"", "feature holding the signed amount"},
      {"columns[].name", T::String, "", "output name of the column"},
      {"columns[].source", T::String, "\"\"",
       "input column (default: name) or a derived value: `@delta` (seconds since the previous "
       "event of the entity, 0 first), `@start_time` (time of the first event / window start, "
       "epoch seconds), `@start_dayofweek` (0 = Monday), `@start_month` (1-12), `@start_hour`"},
      {"columns[].role", T::String, "\"feature\"", "`attribute` (one per sequence) or `feature` (per step)"},
      {"columns[].encoding", T::String, "\"zero_one\"",
       "`zero_one` / `minusone_one` (continuous, min-max scaled), `categorical` (one-hot over the "
       "categories seen), `binned` (float → one-hot of `bins` bins)"},
      {"columns[].integer", T::Boolean, "false", "continuous values are integers: decoding rounds them"},
      {"columns[].bins", T::Integer, "20", "binned: number of bins"},
      {"columns[].bin_edges", T::String, "\"quantile\"", "binned: `uniform` or `quantile` edges"},
      {"columns[].summary", T::String, "\"first\"",
       "windows: how a per-step input column becomes a window attribute: `first`, `mean`, `max`, "
       "`min`, `sum` or `mode`; sequences: `first` or `last` event of the entity"},
  };
}

}  // namespace doppel
