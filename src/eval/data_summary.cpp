#include "doppel/eval/data_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "doppel/error.hpp"
#include "doppel/eval/statistics.hpp"

namespace doppel::eval {

DataSummary::DataSummary(const Schema& s, SummaryOptions o) : schema(s), options(std::move(o)) {
  if (options.bins < 1 || options.smi_bins < 1) throw Error("eval.bins and eval.smi_bins must be >= 1");
  if (options.max_lag < 1) throw Error("eval.max_lag must be >= 1");
  if (options.smi_lags < 1) throw Error("eval.smi_lags must be >= 1");
  if (options.block < 1) throw Error("eval.block must be >= 1");
  if (options.aggregate_sign != "negative" && options.aggregate_sign != "all")
    throw Error("eval.aggregate_sign must be 'negative' or 'all', got '" + options.aggregate_sign + "'");

  for (size_t a = 0; a < schema.attributes.size(); ++a)
    columns.push_back({schema.attributes[a].name, true, a, schema.attributes[a],
                       ColumnBinning::for_column(schema.attributes[a], options.bins)});
  for (size_t f = 0; f < schema.features.size(); ++f)
    columns.push_back({schema.features[f].name, false, f, schema.features[f],
                       ColumnBinning::for_column(schema.features[f], options.bins)});
  for (const auto& c : columns) histograms.emplace_back(c.binning.bins(), 0.0);
  for (size_t a = 0; a < columns.size(); ++a)
    for (size_t b = a + 1; b < columns.size(); ++b) {
      PairHistogram p;
      p.a = a;
      p.b = b;
      p.nx = columns[a].binning.bins();
      p.ny = columns[b].binning.bins();
      p.counts.assign(p.nx * p.ny, 0.0);
      pairs.push_back(std::move(p));
    }
  length_histogram.assign(size_t(schema.max_len) + 1, 0.0);

  for (size_t f = 0; f < schema.features.size(); ++f)
    if (schema.features[f].encoding != Encoding::Categorical) numeric_features.push_back(f);
  acf_sum.assign(numeric_features.size(), std::vector<double>(options.max_lag, 0.0));
  acf_count = acf_sum;
  if (options.cell_length < 0) throw Error("eval.cell_length must be >= 0");
  cell_delta_sum.assign(numeric_features.size(), std::vector<double>(size_t(std::max(0, options.cell_length)), 0.0));
  cell_delta_count = cell_delta_sum;
  calendar = CalendarClock::of(schema);
  calendar_sum.assign(numeric_features.size(), std::vector<double>(size_t(calendar.period()), 0.0));
  calendar_count = calendar_sum;
  value_min.assign(numeric_features.size(), std::numeric_limits<double>::infinity());
  value_max.assign(numeric_features.size(), -std::numeric_limits<double>::infinity());
  for (size_t k = 0; k < numeric_features.size(); ++k) {
    size_t nb = columns[schema.attributes.size() + numeric_features[k]].binning.bins();
    min_histogram.emplace_back(nb, 0.0);
    max_histogram.emplace_back(nb, 0.0);
  }

  smi_subsets.push_back({"all", -1, 0});
  for (size_t a = 0; a < schema.attributes.size(); ++a) {
    const auto& c = schema.attributes[a];
    if (c.encoding != Encoding::Categorical) continue;
    for (size_t k = 0; k < c.categories.size(); ++k)
      smi_subsets.push_back({c.name + "=" + c.categories[k], int(a), k});
  }
  for (const auto& c : schema.features) {
    smi_binning.push_back(ColumnBinning::for_column(c, options.smi_bins));
    size_t K = smi_binning.back().bins();
    LaggedCounts lc;
    lc.joint.assign(options.smi_lags, std::vector<double>(K * K, 0.0));
    smi_counts.emplace_back(smi_subsets.size(), lc);
  }

  for (size_t a = 0; a < schema.attributes.size(); ++a)
    if (schema.attributes[a].source == "@start_time") start_attribute_ = int(a);
  for (size_t f = 0; f < schema.features.size(); ++f) {
    if (schema.features[f].source == "@delta") delta_feature_ = int(f);
    if (schema.features[f].name == options.aggregate_feature) aggregate_feature_ = int(f);
  }
  if (start_attribute_ < 0 || delta_feature_ < 0)
    undated_reason = "the schema has no '@start_time' attribute and '@delta' feature";
  else if (aggregate_feature_ < 0)
    undated_reason = "no feature named '" + options.aggregate_feature + "' (eval.aggregate_feature)";
  else if (schema.features[aggregate_feature_].encoding == Encoding::Categorical)
    undated_reason = "feature '" + options.aggregate_feature + "' is categorical";
  else
    dated = true;
}

std::vector<double> DataSummary::mean_acf(size_t k) const {
  std::vector<double> r(options.max_lag, std::numeric_limits<double>::quiet_NaN());
  for (int l = 0; l < options.max_lag; ++l)
    if (acf_count[k][l] > 0) r[l] = acf_sum[k][l] / acf_count[k][l];
  return r;
}

void DataSummary::add(const DecodedBlock& d) {
  const size_t A = schema.attributes.size(), F = schema.features.size();
  const int64_t n = d.n, L = d.L;
  if (d.attributes.size() != A || d.features.size() != F)
    throw Error("decoded block does not match the summary's schema");
  sequences += n;
  for (int64_t i = 0; i < n; ++i) {
    steps += d.lengths[i];
    length_histogram[std::min<size_t>(size_t(d.lengths[i]), length_histogram.size() - 1)] += 1;
  }

  // Bin indices of every cell once; the histograms and pairs below only count.
  std::vector<std::vector<uint32_t>> bins(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) {
    const auto& src = columns[c].attribute ? d.attributes[columns[c].index] : d.features[columns[c].index];
    bins[c].resize(src.size());
    for (size_t k = 0; k < src.size(); ++k) bins[c][k] = uint32_t(columns[c].binning.bin(src[k]));
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    auto& h = histograms[c];
    if (columns[c].attribute) {
      for (int64_t i = 0; i < n; ++i) h[bins[c][i]] += 1;
    } else {
      for (int64_t i = 0; i < n; ++i)
        for (int64_t t = 0; t < d.lengths[i]; ++t) h[bins[c][i * L + t]] += 1;
    }
  }
  for (auto& p : pairs) {
    const auto &ba = bins[p.a], &bb = bins[p.b];
    bool aa = columns[p.a].attribute, ab = columns[p.b].attribute;
    if (aa && ab) {
      for (int64_t i = 0; i < n; ++i) p.counts[ba[i] * p.ny + bb[i]] += 1;
    } else {
      for (int64_t i = 0; i < n; ++i)
        for (int64_t t = 0; t < d.lengths[i]; ++t)
          p.counts[ba[aa ? i : i * L + t] * p.ny + bb[ab ? i : i * L + t]] += 1;
    }
  }

  // Per-sequence autocorrelation and min / max of the numeric features.
  std::vector<double> x(size_t(std::max<int64_t>(L, 1)));
  for (size_t k = 0; k < numeric_features.size(); ++k) {
    size_t f = numeric_features[k];
    const auto& cs = schema.features[f];
    const auto& binning = columns[A + f].binning;
    for (int64_t i = 0; i < n; ++i) {
      int64_t len = d.lengths[i];
      if (len == 0) continue;
      for (int64_t t = 0; t < len; ++t) x[t] = numeric_value(cs, d.feature(f, i, t));
      auto acf = autocorrelation(x.data(), size_t(len), options.max_lag);
      for (int l = 0; l < options.max_lag; ++l)
        if (std::isfinite(acf[l])) {
          acf_sum[k][l] += acf[l];
          acf_count[k][l] += 1;
        }
      // Min / max are taken on the decoded values and binned like the column itself.
      double lo = d.feature(f, i, 0), hi = lo;
      for (int64_t t = 1; t < len; ++t) {
        lo = std::min(lo, d.feature(f, i, t));
        hi = std::max(hi, d.feature(f, i, t));
      }
      min_histogram[k][binning.bin(lo)] += 1;
      max_histogram[k][binning.bin(hi)] += 1;
      for (int64_t t = 0; t < len; ++t) {  // in original units (a binned value is its bin's midpoint)
        value_min[k] = std::min(value_min[k], x[t]);
        value_max[k] = std::max(value_max[k], x[t]);
      }
      if (options.cell_length > 0)
        for (int64_t t = 1; t < len; ++t) {
          const size_t p = size_t(t % options.cell_length);
          cell_delta_sum[k][p] += std::fabs(x[t] - x[t - 1]);
          cell_delta_count[k][p] += 1;
        }
      if (calendar.on())
        for (int64_t t = 0; t < len; ++t) {
          const size_t p = size_t(calendar.position(d.attributes, i, t));
          calendar_sum[k][p] += x[t];
          calendar_count[k][p] += 1;
        }
    }
  }

  // Sequential mutual information: (x_t, x_{t-k}) pooled over steps, per subset.
  for (size_t f = 0; f < F; ++f) {
    const auto& sb = smi_binning[f];
    const size_t K = sb.bins();
    std::vector<uint32_t> fb(size_t(n * L));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < d.lengths[i]; ++t) fb[i * L + t] = uint32_t(sb.bin(d.feature(f, i, t)));
    for (int64_t i = 0; i < n; ++i) {
      for (size_t s = 0; s < smi_subsets.size(); ++s) {
        const auto& sub = smi_subsets[s];
        if (sub.attribute >= 0 && size_t(std::llround(d.attributes[sub.attribute][i])) != sub.category)
          continue;
        auto& lc = smi_counts[f][s];
        lc.sequences += 1;
        for (int k = 1; k <= options.smi_lags; ++k)
          for (int64_t t = k; t < d.lengths[i]; ++t)
            lc.joint[k - 1][fb[i * L + t] * K + fb[i * L + t - k]] += 1;
      }
    }
  }

  if (dated) {
    const auto& agg = schema.features[aggregate_feature_];
    const auto& del = schema.features[delta_feature_];
    for (int64_t i = 0; i < n; ++i) {
      double time = d.attributes[start_attribute_][i];
      for (int64_t t = 0; t < d.lengths[i]; ++t) {
        time += numeric_value(del, d.feature(delta_feature_, i, t));
        double v = numeric_value(agg, d.feature(aggregate_feature_, i, t));
        if (options.aggregate_sign == "negative") {
          if (!(v < 0)) continue;
          v = -v;
        }
        daily[int64_t(std::floor(time / 86400.0))] += v;
      }
    }
  }

  for (int64_t i = 0; i < n && int64_t(examples.size()) < options.examples; ++i) {
    std::vector<std::vector<double>> seq(F);
    for (size_t f = 0; f < F; ++f)
      for (int64_t t = 0; t < d.lengths[i]; ++t)
        seq[f].push_back(numeric_value(schema.features[f], d.feature(f, i, t)));
    examples.push_back(std::move(seq));
  }
}

std::vector<double> DataSummary::mean_cell_delta(size_t k) const {
  std::vector<double> out;
  for (size_t p = 0; p < cell_delta_sum[k].size(); ++p)
    out.push_back(cell_delta_count[k][p] > 0 ? cell_delta_sum[k][p] / cell_delta_count[k][p]
                                             : std::numeric_limits<double>::quiet_NaN());
  return out;
}

std::vector<double> DataSummary::mean_calendar_profile(size_t k) const {
  std::vector<double> out;
  for (size_t p = 0; p < calendar_sum[k].size(); ++p)
    out.push_back(calendar_count[k][p] > 0 ? calendar_sum[k][p] / calendar_count[k][p]
                                           : std::numeric_limits<double>::quiet_NaN());
  return out;
}

DataSummary DataSummary::of_source(const BatchSource& source, const SummaryOptions& options) {
  DataSummary s(source.schema(), options);
  const int64_t n = source.size();
  for (int64_t begin = 0; begin < n; begin += options.block) {
    int64_t end = std::min(n, begin + options.block);
    std::vector<int64_t> idx(size_t(end - begin));
    for (int64_t k = 0; k < end - begin; ++k) idx[k] = begin + k;
    s.add(decode_batch(source.read_indices(idx), source.schema()));
  }
  return s;
}

}  // namespace doppel::eval
