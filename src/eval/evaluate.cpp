#include "doppel/eval/evaluate.hpp"

#include <cmath>
#include <limits>

#include "doppel/error.hpp"
#include "doppel/eval/statistics.hpp"

namespace doppel::eval {

using nlohmann::json;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Relative SMI error is taken against max(MI_real, kSmiFloor) so that a feature with no
// temporal dependence in the real data does not divide by ~0.
constexpr double kSmiFloor = 1e-3;

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json numbers(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(number(x));
  return a;
}

std::string column_difference(const std::vector<ColumnSchema>& a, const std::vector<ColumnSchema>& b,
                              const char* role) {
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i >= a.size())
      return std::string(role) + " column '" + b[i].name + "' exists only in the second file";
    if (i >= b.size())
      return std::string(role) + " column '" + a[i].name + "' exists only in the first file";
    const auto &x = a[i], &y = b[i];
    std::string where = std::string(role) + " column " + std::to_string(i) + " ('" + x.name + "'";
    if (x.name != y.name) return where + " vs '" + y.name + "'): names differ";
    if (x.encoding != y.encoding)
      return where + "): encoding " + to_string(x.encoding) + " vs " + to_string(y.encoding);
    if (x.width() != y.width())
      return where + "): width " + std::to_string(x.width()) + " vs " + std::to_string(y.width());
    if (x.categories != y.categories) return where + "): categories differ";
    if (x.edges != y.edges) return where + "): bin edges differ";
  }
  return "";
}

// SMI of one feature on one subset in both data sets: per-lag MI and the score.
struct SmiResult {
  std::vector<double> real, syn;
  double score = kNaN;
};
SmiResult smi_of(const LaggedCounts& r, const LaggedCounts& s, size_t K) {
  SmiResult out;
  std::vector<double> rel;
  for (size_t k = 0; k < r.joint.size(); ++k) {
    double mr = kNaN, ms = kNaN;
    double tr = 0, ts = 0;
    for (double c : r.joint[k]) tr += c;
    for (double c : s.joint[k]) ts += c;
    if (tr > 0) mr = joint_information(r.joint[k], K, K).mi;
    if (ts > 0) ms = joint_information(s.joint[k], K, K).mi;
    out.real.push_back(mr);
    out.syn.push_back(ms);
    if (std::isfinite(mr) && std::isfinite(ms)) rel.push_back(std::fabs(mr - ms) / std::max(mr, kSmiFloor));
  }
  double m = mean_finite(rel);
  out.score = std::isfinite(m) ? 1.0 - m : kNaN;
  return out;
}

json distance(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& mid) {
  return {{"w1", number(wasserstein1(a, b, mid))}, {"ks", number(kolmogorov_smirnov(a, b))}};
}
// max/min of a profile over positions (NaN when a position is missing or min is 0).
double max_over_min(const std::vector<double>& v) {
  if (v.empty()) return kNaN;
  double lo = v[0], hi = v[0];
  for (double x : v) {
    if (!std::isfinite(x)) return kNaN;
    lo = std::min(lo, x), hi = std::max(hi, x);
  }
  return lo > 0 ? hi / lo : kNaN;
}

// The step-to-step change by position inside the generator's cell: flat in real data,
// uneven when the generator's per-position outputs differ (docs/metrics.md).
json cell_boundary(const DataSummary& R, const DataSummary& S, const EvaluateOptions& opt) {
  if (R.options.cell_length <= 0)
    return {{"skipped", "no cell length: the synthetic file has no model.sample_len and eval.cell_length is 0"}};
  if (R.numeric_features.empty()) return {{"skipped", "no continuous or binned feature"}};
  json per_feature = json::object();
  double worst = kNaN, worst_real = kNaN, worst_syn = kNaN;
  for (size_t k = 0; k < R.numeric_features.size(); ++k) {
    auto pr = R.mean_cell_delta(k), ps = S.mean_cell_delta(k);
    const double rr = max_over_min(pr), rs = max_over_min(ps), excess = rs / rr - 1.0;
    per_feature[R.schema.features[R.numeric_features[k]].name] = {
        {"real", numbers(pr)}, {"synthetic", numbers(ps)}, {"max_over_min_real", number(rr)},
        {"max_over_min_synthetic", number(rs)}, {"excess", number(excess)}};
    if (std::isfinite(excess) && !(excess <= worst)) worst = excess, worst_real = rr, worst_syn = rs;
  }
  return {{"cell_length", R.options.cell_length},
          {"tolerance", opt.cell_boundary_tolerance},
          {"max_over_min_real", number(worst_real)},
          {"max_over_min_synthetic", number(worst_syn)},
          {"excess", number(worst)},
          {"flagged", std::isfinite(worst) ? json(worst > opt.cell_boundary_tolerance) : json(nullptr)},
          {"better", "synthetic max/min close to the real one (excess near 0); flagged when the excess exceeds the tolerance"},
          {"per_feature", per_feature}};
}

// The mean of each feature by the hour of the day (or week) its step falls on, real against
// synthetic: a generator whose days sit at the wrong hours for the start hour it reports
// keeps its marginals and autocorrelation but not this profile (docs/metrics.md).
json calendar_profile(const DataSummary& R, const DataSummary& S, const EvaluateOptions& opt) {
  if (!R.calendar.on()) return {{"skipped", R.calendar.reason()}};
  if (R.numeric_features.empty()) return {{"skipped", "no continuous or binned feature"}};
  json per_feature = json::object();
  double worst = kNaN, worst_nmae = kNaN;
  int64_t worst_shift = 0;
  for (size_t k = 0; k < R.numeric_features.size(); ++k) {
    auto pr = R.mean_calendar_profile(k), ps = S.mean_calendar_profile(k);
    const auto a = compare_profiles(pr, ps);
    per_feature[R.schema.features[R.numeric_features[k]].name] = {
        {"correlation", number(a.correlation)}, {"nmae", number(a.nmae)}, {"best_shift_steps", a.best_shift},
        {"real", numbers(pr)}, {"synthetic", numbers(ps)}};
    if (std::isfinite(a.correlation) && !(a.correlation >= worst))
      worst = a.correlation, worst_nmae = a.nmae, worst_shift = a.best_shift;
  }
  return {{"period_steps", R.calendar.period()},
          {"position", R.calendar.weekly() ? "hour of the week" : "hour of the day"},
          {"min_correlation", opt.calendar_min_correlation},
          {"correlation", number(worst)},
          {"nmae", number(worst_nmae)},
          {"best_shift_steps", worst_shift},
          {"flagged", std::isfinite(worst) ? json(worst < opt.calendar_min_correlation) : json(nullptr)},
          {"better", "correlation near 1 and best shift 0: the synthetic days and weeks sit at the real hours; flagged "
                     "below min_correlation"},
          {"per_feature", per_feature}};
}
}  // namespace

std::string first_layout_difference(const Schema& a, const Schema& b) {
  std::string d = column_difference(a.attributes, b.attributes, "attribute");
  if (d.empty()) d = column_difference(a.features, b.features, "feature");
  if (d.empty() && !a.same_layout(b)) d = "the layouts differ";
  return d;
}

std::vector<double> daily_series(const DataSummary& s, int64_t* first_day) {
  std::vector<double> out;
  if (s.daily.empty()) return out;
  int64_t lo = s.daily.begin()->first, hi = s.daily.rbegin()->first;
  if (first_day) *first_day = lo;
  out.assign(size_t(hi - lo + 1), 0.0);
  for (const auto& [day, v] : s.daily) out[size_t(day - lo)] = v;
  return out;
}

EvaluateOptions EvaluateOptions::from_config(const Config& c) {
  EvaluateOptions o;
  o.summary.bins = size_t(std::max(1LL, c.integer("eval.bins")));
  o.summary.smi_bins = size_t(std::max(1LL, c.integer("eval.smi_bins")));
  o.summary.max_lag = int(c.integer("eval.max_lag"));
  o.summary.smi_lags = int(c.integer("eval.smi_lags"));
  o.summary.aggregate_feature = c.string("eval.aggregate_feature");
  o.summary.aggregate_sign = c.string("eval.aggregate_sign");
  o.summary.examples = int(c.integer("eval.example_sequences"));
  o.summary.block = c.integer("eval.block");
  o.aggregate_max_lag = int(c.integer("eval.aggregate_max_lag"));
  o.smi_min_subset = c.integer("eval.smi_min_subset");
  o.summary.cell_length = int(c.integer("eval.cell_length"));
  o.cell_boundary_tolerance = c.number("eval.cell_boundary_tolerance");
  if (o.summary.cell_length < 0) throw Error("eval.cell_length must be >= 0 (0: the synthetic file's model.sample_len)");
  if (!(o.cell_boundary_tolerance >= 0)) throw Error("eval.cell_boundary_tolerance must be >= 0");
  o.calendar_min_correlation = c.number("eval.calendar_min_correlation");
  if (!(o.calendar_min_correlation >= -1 && o.calendar_min_correlation <= 1))
    throw Error("eval.calendar_min_correlation must be in [-1, 1], got " + std::to_string(o.calendar_min_correlation));
  if (o.aggregate_max_lag < 1) throw Error("eval.aggregate_max_lag must be >= 1");
  return o;
}

json compare_summaries(const DataSummary& R, const DataSummary& S, const EvaluateOptions& opt) {
  json m;
  m["real"] = {{"sequences", R.sequences}, {"steps", R.steps}};
  m["synthetic"] = {{"sequences", S.sequences}, {"steps", S.steps}};

  // --- similarity ---------------------------------------------------------------
  json sim;
  std::vector<double> h1, h2, mis;
  json per_column = json::object();
  for (size_t c = 0; c < R.columns.size(); ++c) {
    double o = histogram_overlap(R.histograms[c], S.histograms[c]);
    h1.push_back(o);
    per_column[R.columns[c].name] = number(o);
  }
  json pairs = json::array();
  for (size_t p = 0; p < R.pairs.size(); ++p) {
    const auto &pr = R.pairs[p], &ps = S.pairs[p];
    double o = histogram_overlap(pr.counts, ps.counts);
    double nr = joint_information(pr.counts, pr.nx, pr.ny).nmi();
    double ns = joint_information(ps.counts, ps.nx, ps.ny).nmi();
    double ms = 1.0 - std::fabs(nr - ns);
    h2.push_back(o);
    mis.push_back(ms);
    pairs.push_back({{"columns", {R.columns[pr.a].name, R.columns[pr.b].name}},
                     {"overlap", number(o)},
                     {"nmi_real", number(nr)},
                     {"nmi_synthetic", number(ns)},
                     {"mi_similarity", number(ms)}});
  }
  double a = mean_finite(h1), b = mean_finite(h2), c = mean_finite(mis);
  sim["histogram"] = number(a);
  sim["histogram_2d"] = number(b);
  sim["mutual_information"] = number(c);
  sim["score"] = number(mean_finite({a, b, c}));
  sim["per_column"] = per_column;
  sim["pairs"] = pairs;
  m["similarity"] = sim;

  // --- autocorrelation ----------------------------------------------------------
  json ac;
  ac["max_lag"] = R.options.max_lag;
  std::vector<double> scores, mses;
  json per_feature = json::object();
  for (size_t k = 0; k < R.numeric_features.size(); ++k) {
    auto ar = R.mean_acf(k), as = S.mean_acf(k);
    double sc = autocorrelation_score(ar, as), mse = acf_mse(ar, as);
    scores.push_back(sc);
    mses.push_back(mse);
    per_feature[R.schema.features[R.numeric_features[k]].name] = {
        {"score", number(sc)}, {"acf_mse", number(mse)}, {"real", numbers(ar)}, {"synthetic", numbers(as)}};
  }
  ac["score"] = number(mean_finite(scores));
  ac["acf_mse"] = number(mean_finite(mses));
  ac["per_feature"] = per_feature;
  if (R.numeric_features.empty()) ac["skipped"] = "no continuous or binned feature";
  m["autocorrelation"] = ac;

  m["cell_boundary"] = cell_boundary(R, S, opt);
  m["calendar"] = calendar_profile(R, S, opt);

  // --- value range: synthetic values outside the real ones (e.g. negative volumes) ----------
  json range = json::object();
  bool outside = false;
  for (size_t k = 0; k < R.numeric_features.size(); ++k) {
    const bool out = S.value_min[k] < R.value_min[k] || S.value_max[k] > R.value_max[k];
    outside = outside || out;
    range[R.schema.features[R.numeric_features[k]].name] = {
        {"real", {number(R.value_min[k]), number(R.value_max[k])}},
        {"synthetic", {number(S.value_min[k]), number(S.value_max[k])}},
        {"outside", out}};
  }
  m["range"] = {{"outside", outside}, {"per_feature", range}};

  // --- aggregate autocorrelation of daily totals ----------------------------------
  if (!R.dated) {
    m["aggregate_autocorrelation"] = {{"skipped", R.undated_reason}};
  } else {
    auto dr = daily_series(R), ds = daily_series(S);
    auto ar = autocorrelation(dr.data(), dr.size(), opt.aggregate_max_lag);
    auto as = autocorrelation(ds.data(), ds.size(), opt.aggregate_max_lag);
    m["aggregate_autocorrelation"] = {{"feature", R.options.aggregate_feature},
                                      {"sign", R.options.aggregate_sign},
                                      {"max_lag", opt.aggregate_max_lag},
                                      {"days_real", dr.size()},
                                      {"days_synthetic", ds.size()},
                                      {"score", number(autocorrelation_score(ar, as))},
                                      {"acf_mse", number(acf_mse(ar, as))},
                                      {"real", numbers(ar)},
                                      {"synthetic", numbers(as)}};
  }

  // --- sequential mutual information --------------------------------------------
  json smi;
  smi["lags"] = R.options.smi_lags;
  smi["min_subset_sequences"] = opt.smi_min_subset;
  std::vector<double> smi_scores, smi_subset_scores;
  json smi_features = json::object();
  for (size_t f = 0; f < R.schema.features.size(); ++f) {
    size_t K = R.smi_binning[f].bins();
    auto all = smi_of(R.smi_counts[f][0], S.smi_counts[f][0], K);
    std::vector<double> subset_scores{all.score};
    json subsets = json::array();
    for (size_t s = 1; s < R.smi_subsets.size(); ++s) {
      const auto &r = R.smi_counts[f][s], &y = S.smi_counts[f][s];
      if (r.sequences < opt.smi_min_subset || y.sequences < opt.smi_min_subset) continue;
      auto res = smi_of(r, y, K);
      subset_scores.push_back(res.score);
      subsets.push_back({{"subset", R.smi_subsets[s].label}, {"score", number(res.score)}});
    }
    double sub = mean_finite(subset_scores);
    smi_scores.push_back(all.score);
    smi_subset_scores.push_back(sub);
    smi_features[R.schema.features[f].name] = {{"real", numbers(all.real)},
                                               {"synthetic", numbers(all.syn)},
                                               {"score", number(all.score)},
                                               {"subset_score", number(sub)},
                                               {"subsets", subsets}};
  }
  smi["score"] = number(mean_finite(smi_scores));
  smi["subset_score"] = number(mean_finite(smi_subset_scores));
  smi["per_feature"] = smi_features;
  m["sequential_mutual_information"] = smi;

  // --- distances -----------------------------------------------------------------
  json dist = json::object();
  std::vector<double> len_mid;
  for (size_t k = 0; k < R.length_histogram.size(); ++k) len_mid.push_back(double(k));
  dist["length"] = distance(R.length_histogram, S.length_histogram, len_mid);
  for (size_t c = 0; c < R.columns.size(); ++c) {
    const auto& col = R.columns[c];
    if (!col.attribute) continue;
    if (col.binning.categorical) {
      // Categories have no order: W1 and KS would depend on the arbitrary index order.
      double o = histogram_overlap(R.histograms[c], S.histograms[c]);
      dist["attribute:" + col.name] = {{"total_variation", number(std::isfinite(o) ? 1.0 - o : kNaN)}};
    } else {
      dist["attribute:" + col.name] = distance(R.histograms[c], S.histograms[c], col.binning.midpoints);
    }
  }
  for (size_t k = 0; k < R.numeric_features.size(); ++k) {
    size_t f = R.numeric_features[k];
    const auto& mid = R.columns[R.schema.attributes.size() + f].binning.midpoints;
    const auto& name = R.schema.features[f].name;
    dist["min:" + name] = distance(R.min_histogram[k], S.min_histogram[k], mid);
    dist["max:" + name] = distance(R.max_histogram[k], S.max_histogram[k], mid);
  }
  m["distances"] = dist;
  return m;
}

Evaluation evaluate(const BatchSource& real, const BatchSource* real_test, const BatchSource& syn,
                    const EvaluateOptions& opt, const std::string& real_name,
                    const std::string& syn_name) {
  std::string diff = first_layout_difference(real.schema(), syn.schema());
  if (!diff.empty())
    throw Error("schema mismatch between " + real_name + " and " + syn_name + ": " + diff);
  if (real.size() == 0) throw Error(real_name + ": no sequences to evaluate");
  if (syn.size() == 0) throw Error(syn_name + ": no sequences to evaluate");
  // Both summaries use the real schema, so continuous bins share the fitted range.
  DataSummary R(real.schema(), opt.summary), S(real.schema(), opt.summary);
  for (auto [src, sum] : {std::pair{&real, &R}, std::pair{&syn, &S}}) {
    const int64_t n = src->size();
    for (int64_t begin = 0; begin < n; begin += opt.summary.block) {
      int64_t end = std::min(n, begin + opt.summary.block);
      std::vector<int64_t> idx(size_t(end - begin));
      for (int64_t k = 0; k < end - begin; ++k) idx[k] = begin + k;
      sum->add(decode_batch(src->read_indices(idx), real.schema()));
    }
  }
  json m = compare_summaries(R, S, opt);
  m["inputs"] = {{"real", real_name}, {"synthetic", syn_name}};
  if (!opt.learned) {
    m["utility"] = {{"skipped", opt.learned_skip_reason}};
    m["discriminative"] = {{"skipped", opt.learned_skip_reason}};
  } else if (!real_test || real_test->size() == 0) {
    m["utility"] = {{"skipped", real_name + " has no held-out test split"}};
    m["discriminative"] = {{"skipped", real_name + " has no held-out test split"}};
  } else {
    json l = opt.learned(real, *real_test, syn);
    for (const char* key : {"utility", "discriminative"})
      m[key] = l.contains(key) ? l[key] : json{{"skipped", "the learned-metrics function did not return it"}};
  }
  return {std::move(m), std::move(R), std::move(S)};
}

}  // namespace doppel::eval
