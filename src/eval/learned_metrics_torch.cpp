// Forecasting utility and discriminative score: two small LSTM models trained on
// the fly. Exact definitions of both numbers: docs/baselines.md.
#include <cmath>
#include <random>
#include <sstream>

#include "doppel/error.hpp"
#include "doppel/eval/learned_metrics.hpp"
#include "doppel/eval/statistics.hpp"
#include "lstm_with_attributes.hpp"

namespace doppel {
namespace {

constexpr int64_t kAttributeHidden = 32;

torch::Tensor tensor_of(std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(v.data(), shape, torch::kFloat).clone();
}

// Random mini-batch indices into n rows.
torch::Tensor batch_indices(int64_t n, int64_t batch, std::mt19937_64& rng) {
  std::vector<int64_t> idx(static_cast<size_t>(batch));
  std::uniform_int_distribution<int64_t> pick(0, n - 1);
  for (auto& i : idx) i = pick(rng);
  return torch::tensor(idx, torch::kLong);
}

void require_same_layout(const BatchSource& a, const BatchSource& b, const std::string& what) {
  if (!a.schema().same_layout(b.schema()))
    throw Error(what + ": the real and synthetic data sets have different schemas "
                "(outputs, widths or encodings differ); encode both with the same prepared schema");
}

// The forecast target: one feature column read as a number in [0, 1].
struct Target {
  const ColumnSchema* column = nullptr;
  size_t offset = 0;

  // zero_one: as encoded; minusone_one: mapped to [0, 1]; binned: the midpoint of
  // the hot bin, normalized by the outer edges. Keeping every target in [0, 1] makes
  // mean|y| a stable denominator.
  float value(const float* row) const {
    const float* p = row + offset;
    switch (column->encoding) {
      case Encoding::ZeroOne: return p[0];
      case Encoding::MinusOneOne: return (p[0] + 1.0f) / 2.0f;
      case Encoding::Binned: {
        size_t i = column->decode_index(p);
        const auto& e = column->edges;
        double mid = (e[i] + e[i + 1]) / 2.0, span = e.back() - e.front();
        return span > 0 ? float((mid - e.front()) / span) : 0.0f;
      }
      case Encoding::Categorical: break;
    }
    throw Error("utility target '" + column->name + "' is categorical");
  }
};

Target resolve_target(const Schema& s, const std::string& name) {
  Target t;
  for (size_t i = 0; i < s.features.size(); ++i) {
    const auto& c = s.features[i];
    bool wanted = name.empty() ? c.encoding != Encoding::Categorical : c.name == name;
    if (!wanted) continue;
    if (c.encoding == Encoding::Categorical)
      throw Error("utility target '" + name + "' is categorical: the forecaster predicts a number; "
                  "choose a continuous or binned feature column");
    t.column = &c;
    t.offset = s.feature_offset(i);
    return t;
  }
  if (!name.empty()) {
    std::string known;
    for (const auto& c : s.features) known += (known.empty() ? "" : ", ") + c.name;
    throw Error("utility target '" + name + "' is not a feature column (features: " + known + ")");
  }
  throw Error("utility: no continuous or binned feature column to forecast (all are categorical)");
}

// Input windows, attributes and next-step targets sampled from one source.
struct Windows {
  int64_t n = 0;
  torch::Tensor x, a, y, last;  // last = the target column at the final input step
};

Windows sample_windows(const BatchSource& src, const UtilityOptions& opt, const Target& target,
                       uint64_t seed, const std::string& what) {
  if (src.size() == 0) throw Error("utility: the " + what + " data set is empty");
  std::mt19937_64 rng(seed);
  const int64_t W = opt.window;
  int64_t n_seq = std::min(src.size(), opt.max_windows);
  int64_t per_seq = std::max<int64_t>(1, opt.max_windows / n_seq);
  std::vector<float> x, a, y, last;
  int64_t n = 0, F = 0, A = 0, longest = 0;
  read_in_batches(src, sample_distinct(src.size(), n_seq, rng), [&](const Batch& b) {
    F = b.F;
    A = b.A;
    for (int64_t i = 0; i < b.n; ++i) {
      int64_t len = std::min<int64_t>(b.lengths[size_t(i)], b.L);
      longest = std::max(longest, len);
      int64_t valid = len - W;  // targets t = W .. len-1
      if (valid <= 0) continue;
      for (int64_t p : sample_distinct(valid, per_seq, rng)) {
        int64_t t = W + p;
        const float* seq = b.features.data() + i * b.L * b.F;
        x.insert(x.end(), seq + (t - W) * F, seq + t * F);
        a.insert(a.end(), b.attributes.begin() + i * A, b.attributes.begin() + (i + 1) * A);
        y.push_back(target.value(seq + t * F));
        last.push_back(target.value(seq + (t - 1) * F));
        ++n;
      }
    }
  });
  if (n == 0)
    throw Error("utility: no " + what + " sequence is longer than the " + std::to_string(W) +
                "-step input window (longest sampled: " + std::to_string(longest) +
                " steps); use a smaller window");
  Windows w;
  w.n = n;
  w.x = tensor_of(x, {n, W, F});
  w.a = tensor_of(a, {n, A});
  w.y = tensor_of(y, {n});
  w.last = tensor_of(last, {n});
  return w;
}

struct Forecaster {
  LstmWithAttributes net{nullptr};
  double final_loss = 0;
};

Forecaster train_forecaster(const Windows& w, const UtilityOptions& opt, const std::string& label,
                            const ProgressFn& progress) {
  // Same seed for both forecasters: identical initial weights and batch order, so
  // the only difference between them is the data.
  torch::manual_seed(opt.seed);
  std::mt19937_64 rng(opt.seed ^ 0x5eedf00dULL);
  Forecaster f;
  f.net = LstmWithAttributes(w.x.size(2), opt.hidden, opt.layers, w.a.size(1), kAttributeHidden, 1);
  torch::optim::Adam adam(f.net->parameters(), torch::optim::AdamOptions(opt.learning_rate));
  double ema = -1;
  for (int step = 1; step <= opt.steps; ++step) {
    auto idx = batch_indices(w.n, opt.batch, rng);
    auto pred = torch::sigmoid(f.net->forward(w.x.index_select(0, idx), w.a.index_select(0, idx))).squeeze(1);
    auto loss = torch::mse_loss(pred, w.y.index_select(0, idx));
    adam.zero_grad();
    loss.backward();
    adam.step();
    double l = loss.item<double>();
    ema = ema < 0 ? l : 0.95 * ema + 0.05 * l;
    if (progress && (step % 50 == 0 || step == opt.steps)) {
      std::ostringstream o;
      o << "utility: forecaster on " << label << " step " << step << "/" << opt.steps << " mse " << ema;
      progress(o.str());
    }
  }
  f.final_loss = ema;
  return f;
}

// mean |ŷ − y| over the test windows.
double mean_abs_error(Forecaster& f, const Windows& test) {
  torch::NoGradGuard no_grad;
  f.net->eval();
  double sum = 0;
  for (int64_t b = 0; b < test.n; b += 1024) {
    int64_t e = std::min(test.n, b + 1024);
    auto pred = torch::sigmoid(f.net->forward(test.x.slice(0, b, e), test.a.slice(0, b, e))).squeeze(1);
    sum += (pred - test.y.slice(0, b, e)).abs().sum().item<double>();
  }
  return sum / double(test.n);
}

// FNV-1a over the bytes of the real forecaster's inputs and every option that shapes its
// training: equal fingerprints mean the same training run (the seed fixes the weights and the
// batch order), so its result can be reused.
uint64_t real_fit_fingerprint(const Windows& train, const Windows& test, const UtilityOptions& o) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const void* data, size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  };
  for (const Windows* w : {&train, &test})
    for (const torch::Tensor* t : {&w->x, &w->a, &w->y}) {
      auto c = t->contiguous();
      const int64_t n = c.numel();
      mix(&n, sizeof n);
      mix(c.data_ptr<float>(), size_t(n) * sizeof(float));
    }
  const int64_t ints[] = {o.window, o.hidden, o.layers, o.steps, o.batch, int64_t(o.seed)};
  mix(ints, sizeof ints);
  mix(&o.learning_rate, sizeof o.learning_rate);
  return h;
}

}  // namespace

nlohmann::json utility_score(const BatchSource& real_train, const BatchSource& real_test,
                             const BatchSource& synthetic, const UtilityOptions& opt,
                             const ProgressFn& progress, RealForecasterCache* cache) {
  if (opt.window < 1 || opt.steps < 1 || opt.batch < 1 || opt.max_windows < 1 || opt.hidden < 1 ||
      opt.layers < 1 || opt.repeats < 1)
    throw Error("utility: window, steps, batch, max_windows, hidden, layers and repeats must be positive");
  require_same_layout(real_train, synthetic, "utility");
  require_same_layout(real_train, real_test, "utility (real train vs real test)");
  Target target = resolve_target(real_train.schema(), opt.target);

  // One repeat = fresh window samples and fresh forecaster weights (seed + 4r: repeat 0 is
  // the single-repeat run). A 300-step forecaster's error moves by several percent between
  // seeds, as much as the differences between generators, so the ratio is averaged.
  std::vector<double> ratios;
  double sum_real = 0, sum_syn = 0, sum_persist = 0, sum_mse_real = 0, sum_mse_syn = 0, sum_scale = 0;
  int64_t n_real = 0, n_syn = 0, n_test = 0;
  for (int r = 0; r < opt.repeats; ++r) {
    UtilityOptions o = opt;
    o.seed = opt.seed + 4 * uint64_t(r);
    Windows train_real = sample_windows(real_train, o, target, o.seed + 1, "real training");
    Windows train_syn = sample_windows(synthetic, o, target, o.seed + 2, "synthetic");
    Windows test = sample_windows(real_test, o, target, o.seed + 3, "real test");

    const double scale = test.y.abs().mean().item<double>();
    if (!(scale > 0))
      throw Error("utility: target '" + target.column->name +
                  "' is 0 in every real test window; the relative error is undefined");
    const std::string tag = opt.repeats > 1 ? " (repeat " + std::to_string(r + 1) + "/" + std::to_string(opt.repeats) + ")" : "";
    RealForecasterCache::Fit real;
    const uint64_t key = cache ? real_fit_fingerprint(train_real, test, o) : 0;
    if (cache && cache->fits.count(key)) {
      real = cache->fits.at(key);
      ++cache->hits;
      if (progress) progress("utility: forecaster on real" + tag + ": same real windows as before, reused");
    } else {
      Forecaster f_real = train_forecaster(train_real, o, "real" + tag, progress);
      real = {mean_abs_error(f_real, test) / scale, f_real.final_loss};
      if (cache) cache->fits[key] = real;
    }
    Forecaster f_syn = train_forecaster(train_syn, o, "synthetic" + tag, progress);
    const double err_real = real.error;
    double err_syn = mean_abs_error(f_syn, test) / scale;
    if (err_real > 0) ratios.push_back(err_syn / err_real);  // else undefined: left out
    sum_real += err_real;
    sum_syn += err_syn;
    sum_persist += (test.last - test.y).abs().mean().item<double>() / scale;
    sum_scale += scale;
    sum_mse_real += real.final_loss;
    sum_mse_syn += f_syn.final_loss;
    n_real = train_real.n, n_syn = train_syn.n, n_test = test.n;  // reported: the last repeat's counts
  }
  const double k = double(opt.repeats), kr = double(ratios.size());
  const double mean_ratio = eval::mean_finite(ratios);  // the ratios are finite: error_real 0 is left out
  double var = 0;
  for (double x : ratios) var += (x - mean_ratio) * (x - mean_ratio);

  nlohmann::json j;
  j["target"] = target.column->name;
  j["error_real"] = sum_real / k;  // means over the repeats
  j["error_synthetic"] = sum_syn / k;
  j["ratio"] = ratios.empty() ? nlohmann::json(nullptr) : nlohmann::json(mean_ratio);  // null: error_real 0
  j["ratios"] = ratios;
  // Standard error of the mean ratio (sample sd / sqrt(n)); null with fewer than 2 ratios.
  j["ratio_se"] = ratios.size() > 1 ? nlohmann::json(std::sqrt(var / (kr - 1) / kr)) : nlohmann::json(nullptr);
  j["repeats"] = opt.repeats;
  j["error_persistence"] = sum_persist / k;  // "next = last" forecaster, for scale
  j["mean_abs_target"] = sum_scale / k;
  j["train_mse_real"] = sum_mse_real / k;
  j["train_mse_synthetic"] = sum_mse_syn / k;
  j["n_windows_real_train"] = n_real;
  j["n_windows_synthetic"] = n_syn;
  j["n_windows_test"] = n_test;
  j["window"] = opt.window;
  j["hidden"] = opt.hidden;
  j["layers"] = opt.layers;
  j["steps"] = opt.steps;
  j["batch"] = opt.batch;
  j["seed"] = opt.seed;
  return j;
}

// ---- discriminative score ---------------------------------------------------------

namespace {

// Whole sequences of one source padded to length L, with their last valid step.
struct Labeled {
  std::vector<float> x, a;
  std::vector<int64_t> last;
};

void append_sequences(const Batch& b, int64_t L, Labeled& out) {
  for (int64_t i = 0; i < b.n; ++i) {
    const float* seq = b.features.data() + i * b.L * b.F;
    out.x.insert(out.x.end(), seq, seq + b.L * b.F);
    out.x.insert(out.x.end(), size_t((L - b.L) * b.F), 0.0f);
    out.a.insert(out.a.end(), b.attributes.begin() + i * b.A, b.attributes.begin() + (i + 1) * b.A);
    int64_t len = std::min<int64_t>(b.lengths[size_t(i)], b.L);
    out.last.push_back(std::max<int64_t>(0, len - 1));
  }
}

}  // namespace

nlohmann::json discriminative_score(const BatchSource& real, const BatchSource& synthetic,
                                    const DiscriminativeOptions& opt, const ProgressFn& progress) {
  if (opt.steps < 1 || opt.batch < 1 || opt.hidden < 1 || opt.layers < 1 || opt.max_sequences < 1 ||
      !(opt.train_fraction > 0 && opt.train_fraction < 1))
    throw Error("discriminative: steps, batch, hidden, layers, max_sequences must be positive and "
                "train_fraction inside (0, 1)");
  require_same_layout(real, synthetic, "discriminative");
  int64_t n = std::min({real.size(), synthetic.size(), opt.max_sequences});
  int64_t n_train = int64_t(std::llround(opt.train_fraction * double(n)));
  if (n_train < 1 || n - n_train < 1)
    throw Error("discriminative: need at least one training and one test sequence per class, have " +
                std::to_string(real.size()) + " real and " + std::to_string(synthetic.size()) +
                " synthetic sequences");

  std::mt19937_64 rng(opt.seed);
  Batch r = read_all(real, sample_distinct(real.size(), n, rng));
  Batch s = read_all(synthetic, sample_distinct(synthetic.size(), n, rng));
  const int64_t L = std::max(r.L, s.L), F = r.F, A = r.A;
  // Shuffle within each class, then split each 80/20 so both parts stay balanced.
  Labeled all;
  append_sequences(r, L, all);
  append_sequences(s, L, all);
  std::vector<int64_t> perm_r(static_cast<size_t>(n)), perm_s(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm_r[size_t(i)] = i, perm_s[size_t(i)] = n + i;
  std::shuffle(perm_r.begin(), perm_r.end(), rng);
  std::shuffle(perm_s.begin(), perm_s.end(), rng);
  std::vector<int64_t> train_idx, test_idx;
  for (int64_t i = 0; i < n; ++i) {
    auto& dst = i < n_train ? train_idx : test_idx;
    dst.push_back(perm_r[size_t(i)]);
    dst.push_back(perm_s[size_t(i)]);
  }

  auto X = tensor_of(all.x, {2 * n, L, F});
  auto Aa = tensor_of(all.a, {2 * n, A});
  auto last = torch::tensor(all.last, torch::kLong);
  auto label = torch::cat({torch::ones({n}), torch::zeros({n})});  // real = 1
  auto tr = torch::tensor(train_idx, torch::kLong), te = torch::tensor(test_idx, torch::kLong);

  torch::manual_seed(opt.seed);
  LstmWithAttributes net(F, opt.hidden, opt.layers, A, kAttributeHidden, 1);
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(opt.learning_rate));
  const int64_t n_tr = tr.size(0);
  double ema = -1;
  for (int step = 1; step <= opt.steps; ++step) {
    auto idx = tr.index_select(0, batch_indices(n_tr, opt.batch, rng));
    auto logit = net->forward(X.index_select(0, idx), Aa.index_select(0, idx), last.index_select(0, idx)).squeeze(1);
    auto loss = torch::binary_cross_entropy_with_logits(logit, label.index_select(0, idx));
    adam.zero_grad();
    loss.backward();
    adam.step();
    double l = loss.item<double>();
    ema = ema < 0 ? l : 0.95 * ema + 0.05 * l;
    if (progress && (step % 50 == 0 || step == opt.steps)) {
      std::ostringstream o;
      o << "discriminative: step " << step << "/" << opt.steps << " bce " << ema;
      progress(o.str());
    }
  }

  torch::NoGradGuard no_grad;
  net->eval();
  int64_t correct = 0;
  const int64_t n_te = te.size(0);
  for (int64_t b = 0; b < n_te; b += 512) {
    auto idx = te.slice(0, b, std::min(n_te, b + 512));
    auto logit = net->forward(X.index_select(0, idx), Aa.index_select(0, idx), last.index_select(0, idx)).squeeze(1);
    correct += ((logit > 0).to(torch::kFloat) == label.index_select(0, idx)).sum().item<int64_t>();
  }
  double acc = double(correct) / double(n_te);
  nlohmann::json j;
  j["accuracy"] = acc;
  j["score"] = std::abs(acc - 0.5);
  j["n_train"] = n_tr;
  j["n_test"] = n_te;
  j["train_bce"] = ema;
  j["steps"] = opt.steps;
  j["seed"] = opt.seed;
  return j;
}

}  // namespace doppel
