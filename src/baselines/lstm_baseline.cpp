// The LSTM baseline generator: an autoregressive next-step model over the encoded
// features, sampled step by step. Design and exact losses: docs/baselines.md.
#include <cmath>
#include <random>
#include <sstream>

#include "doppel/error.hpp"
#include "doppel/baselines/lstm_baseline.hpp"
#include "lstm_with_attributes.hpp"

namespace doppel {

struct LstmBaseline::Impl {
  Schema schema;
  LstmBaselineOptions opt;
  int64_t F = 0, A = 0, L = 0;
  std::vector<OutputSpec> outputs;
  std::vector<int64_t> offsets;
  LstmWithAttributes net{nullptr};
  bool trained = false;
  std::vector<float> residual_std;  // per output block; continuous blocks only
  std::vector<float> attr_pool;     // [n_attr, A] empirical training attributes
  std::vector<int64_t> start_pool;  // start_time of the same rows
  int64_t n_attr = 0;

  // Step inputs carry one extra channel: 1 on real steps, 0 on the zero padding
  // before step 0, so "padding" and "a step whose encoding is all zeros" differ.
  int64_t in_width() const { return F + 1; }

  // Window of the W steps before t of sequence `seq` (row-major [L, F]) into out.
  void fill_window(const float* seq, int64_t t, float* out) const {
    const int64_t W = opt.window;
    for (int64_t k = 0; k < W; ++k) {
      int64_t s = t - W + k;
      float* o = out + k * in_width();
      if (s < 0) {
        std::fill(o, o + in_width(), 0.0f);
      } else {
        std::copy(seq + s * F, seq + (s + 1) * F, o);
        o[F] = 1.0f;
      }
    }
  }

  // Loss of the next-step logits [B, F+2] against the true step [B, F] and flags [B].
  torch::Tensor loss(const torch::Tensor& logits, const torch::Tensor& next,
                     const torch::Tensor& cont) const {
    torch::Tensor total = torch::zeros({});
    for (size_t c = 0; c < outputs.size(); ++c) {
      int64_t o = offsets[c], w = int64_t(outputs[c].width);
      auto lg = logits.slice(1, o, o + w);
      auto y = next.slice(1, o, o + w);
      if (outputs[c].discrete)
        total = total + torch::cross_entropy_loss(lg, y.argmax(1));
      else
        total = total + torch::mse_loss(activate(lg, outputs[c]), y);
    }
    return total + torch::cross_entropy_loss(logits.slice(1, F, F + 2), cont);
  }

  static torch::Tensor activate(const torch::Tensor& lg, const OutputSpec& o) {
    return o.minus_one ? torch::tanh(lg) : torch::sigmoid(lg);
  }
};

LstmBaseline::LstmBaseline(const Schema& schema, const LstmBaselineOptions& opt)
    : impl_(std::make_unique<Impl>()) {
  if (opt.window < 1 || opt.hidden < 1 || opt.layers < 1 || opt.attribute_hidden < 1 ||
      opt.steps < 1 || opt.batch < 1 || opt.pool_sequences < 1 || opt.pool_refresh < 1 ||
      opt.attribute_pool < 1)
    throw Error("lstm baseline: window, hidden, layers, attribute_hidden, steps, batch and pool "
                "sizes must be positive");
  auto& m = *impl_;
  m.schema = schema;
  m.opt = opt;
  m.F = int64_t(schema.feature_width());
  m.A = int64_t(schema.attribute_width());
  m.L = schema.max_len;
  if (m.F == 0) throw Error("lstm baseline: the schema has no feature columns");
  m.outputs = schema.feature_outputs();
  for (size_t c = 0; c < m.outputs.size(); ++c) m.offsets.push_back(int64_t(schema.feature_offset(c)));
  torch::manual_seed(opt.seed);
  m.net = LstmWithAttributes(m.in_width(), opt.hidden, opt.layers, m.A, opt.attribute_hidden, m.F + 2);
}

LstmBaseline::~LstmBaseline() = default;

double LstmBaseline::train(const BatchSource& src, const ProgressFn& progress) {
  auto& m = *impl_;
  if (!src.schema().same_layout(m.schema))
    throw Error("lstm baseline: the training data's schema differs from the model's");
  if (src.size() == 0) throw Error("lstm baseline: the training data set is empty");
  const int64_t W = m.opt.window, B = m.opt.batch;
  std::mt19937_64 rng(m.opt.seed ^ 0xba5e11eULL);

  // Empirical attributes (and start times) that generation resamples from.
  {
    Batch a = read_all(src, sample_distinct(src.size(), m.opt.attribute_pool, rng));
    m.attr_pool = a.attributes;
    m.start_pool = a.start_time;
    m.n_attr = a.n;
  }

  // Training draws (sequence, step) pairs from a pool of sequences held in memory;
  // sources larger than the pool get a fresh random pool every pool_refresh steps.
  Batch pool;
  std::vector<int64_t> usable;  // pool rows with at least one step
  auto refill = [&] {
    pool = read_all(src, sample_distinct(src.size(), m.opt.pool_sequences, rng));
    if (pool.L != m.L || pool.F != m.F)
      throw Error("lstm baseline: training data has L=" + std::to_string(pool.L) + ", F=" +
                  std::to_string(pool.F) + " but the schema says L=" + std::to_string(m.L) +
                  ", F=" + std::to_string(m.F));
    usable.clear();
    for (int64_t i = 0; i < pool.n; ++i)
      if (pool.lengths[size_t(i)] > 0) usable.push_back(i);
    if (usable.empty()) throw Error("lstm baseline: every sampled training sequence has length 0");
  };
  const bool refresh = src.size() > m.opt.pool_sequences;
  refill();

  // One mini-batch of windows, next steps and "continues" flags.
  std::vector<float> x(size_t(B * W * m.in_width())), next(size_t(B * m.F));
  std::vector<int64_t> cont(static_cast<size_t>(B));
  auto make_batch = [&](int64_t b_size) {
    x.resize(size_t(b_size * W * m.in_width()));
    next.resize(size_t(b_size * m.F));
    cont.resize(size_t(b_size));
    std::vector<float> attrs(size_t(b_size * m.A));
    for (int64_t k = 0; k < b_size; ++k) {
      int64_t i = usable[std::uniform_int_distribution<size_t>(0, usable.size() - 1)(rng)];
      int64_t len = std::min<int64_t>(pool.lengths[size_t(i)], m.L);
      int64_t t = std::uniform_int_distribution<int64_t>(0, len - 1)(rng);
      const float* seq = pool.features.data() + i * m.L * m.F;
      m.fill_window(seq, t, x.data() + k * W * m.in_width());
      std::copy(seq + t * m.F, seq + (t + 1) * m.F, next.begin() + k * m.F);
      std::copy(pool.attributes.begin() + i * m.A, pool.attributes.begin() + (i + 1) * m.A,
                attrs.begin() + k * m.A);
      cont[size_t(k)] = t < len - 1 ? 1 : 0;
    }
    return std::make_tuple(torch::from_blob(x.data(), {b_size, W, m.in_width()}, torch::kFloat).clone(),
                           torch::from_blob(attrs.data(), {b_size, m.A}, torch::kFloat).clone(),
                           torch::from_blob(next.data(), {b_size, m.F}, torch::kFloat).clone(),
                           torch::tensor(cont, torch::kLong));
  };

  m.net->train();
  torch::optim::Adam adam(m.net->parameters(), torch::optim::AdamOptions(m.opt.learning_rate));
  double ema = -1;
  for (int step = 1; step <= m.opt.steps; ++step) {
    if (refresh && step > 1 && (step - 1) % m.opt.pool_refresh == 0) refill();
    auto [xt, at, nt, ct] = make_batch(B);
    auto loss = m.loss(m.net->forward(xt, at), nt, ct);
    adam.zero_grad();
    loss.backward();
    adam.step();
    double l = loss.item<double>();
    ema = ema < 0 ? l : 0.98 * ema + 0.02 * l;
    if (progress && (step % 25 == 0 || step == m.opt.steps)) {
      std::ostringstream o;
      o << "lstm baseline: step " << step << "/" << m.opt.steps << " loss " << ema;
      progress(o.str());
    }
  }

  // Residual std of each continuous block, the noise added when sampling.
  {
    torch::NoGradGuard no_grad;
    m.net->eval();
    auto [xt, at, nt, ct] = make_batch(std::max<int64_t>(B, 2048));
    auto logits = m.net->forward(xt, at);
    m.residual_std.assign(m.outputs.size(), 0.0f);
    for (size_t c = 0; c < m.outputs.size(); ++c) {
      if (m.outputs[c].discrete) continue;
      int64_t o = m.offsets[c], w = int64_t(m.outputs[c].width);
      auto r = Impl::activate(logits.slice(1, o, o + w), m.outputs[c]) - nt.slice(1, o, o + w);
      m.residual_std[c] = float(r.pow(2).mean().sqrt().item<double>());
    }
  }
  m.trained = true;
  return ema;
}

void LstmBaseline::generate(int64_t n, uint64_t seed, const std::function<void(const Batch&)>& sink,
                            int64_t chunk, const ProgressFn& progress) const {
  auto& m = *impl_;  // the network's forward is non-const; generation does not change it
  if (!m.trained) throw Error("lstm baseline: generate() called before train()");
  if (n < 0 || chunk < 1) throw Error("lstm baseline: n must be >= 0 and chunk >= 1");
  torch::NoGradGuard no_grad;
  m.net->eval();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  const int64_t W = m.opt.window, L = m.L, F = m.F, A = m.A, C = m.in_width();

  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t cnt = std::min(chunk, n - begin);
    Batch out;
    out.n = cnt;
    out.L = L;
    out.A = A;
    out.F = F;
    out.attributes.resize(size_t(cnt * A));
    out.lengths.assign(size_t(cnt), int32_t(L));
    out.split.assign(size_t(cnt), 0);
    out.start_time.resize(size_t(cnt));
    for (int64_t i = 0; i < cnt; ++i) {
      int64_t r = std::uniform_int_distribution<int64_t>(0, m.n_attr - 1)(rng);
      std::copy(m.attr_pool.begin() + r * A, m.attr_pool.begin() + (r + 1) * A, out.attributes.begin() + i * A);
      out.start_time[size_t(i)] = m.start_pool.empty() ? 0 : m.start_pool[size_t(r)];
      out.index.push_back(begin + i);
    }
    // buf holds W rows of zero padding and then the generated steps.
    std::vector<float> buf(size_t(cnt * (W + L) * C), 0.0f);
    std::vector<char> alive(size_t(cnt), 1);
    auto attrs = torch::from_blob(out.attributes.data(), {cnt, A}, torch::kFloat);
    int64_t n_alive = cnt;
    for (int64_t t = 0; t < L && n_alive > 0; ++t) {
      auto window = torch::from_blob(buf.data() + t * C, {cnt, W, C}, {(W + L) * C, C, 1}, torch::kFloat)
                        .contiguous();
      auto logits = m.net->forward(window, attrs).contiguous();
      const float* lg = logits.data_ptr<float>();
      std::vector<double> p;
      for (int64_t i = 0; i < cnt; ++i) {
        if (!alive[size_t(i)]) continue;
        const float* li = lg + i * (F + 2);
        float* row = buf.data() + (i * (W + L) + W + t) * C;
        for (size_t c = 0; c < m.outputs.size(); ++c) {
          const auto& os = m.outputs[c];
          int64_t o = m.offsets[c], w = int64_t(os.width);
          if (os.discrete) {
            // Softmax then one categorical draw.
            double mx = *std::max_element(li + o, li + o + w), sum = 0;
            p.resize(size_t(w));
            for (int64_t k = 0; k < w; ++k) sum += p[size_t(k)] = std::exp(double(li[o + k]) - mx);
            double u = unif(rng) * sum;
            int64_t pick = w - 1;
            for (int64_t k = 0; k < w; ++k)
              if ((u -= p[size_t(k)]) < 0) { pick = k; break; }
            for (int64_t k = 0; k < w; ++k) row[o + k] = k == pick ? 1.0f : 0.0f;
          } else {
            for (int64_t k = 0; k < w; ++k) {
              double z = li[o + k];
              double v = os.minus_one ? std::tanh(z) : 1.0 / (1.0 + std::exp(-z));
              v += m.residual_std[c] * gauss(rng);
              row[o + k] = float(std::clamp(v, os.minus_one ? -1.0 : 0.0, 1.0));
            }
          }
        }
        row[F] = 1.0f;
        double p_cont = 1.0 / (1.0 + std::exp(double(li[F]) - double(li[F + 1])));
        if (t == L - 1 || unif(rng) >= p_cont) {
          alive[size_t(i)] = 0;
          out.lengths[size_t(i)] = int32_t(t + 1);
          --n_alive;
        }
      }
    }
    out.features.assign(size_t(cnt * L * F), 0.0f);
    for (int64_t i = 0; i < cnt; ++i)
      for (int64_t t = 0; t < out.lengths[size_t(i)]; ++t) {
        const float* row = buf.data() + (i * (W + L) + W + t) * C;
        std::copy(row, row + F, out.features.begin() + (i * L + t) * F);
      }
    sink(out);
    if (progress) {
      std::ostringstream o;
      o << "lstm baseline: generated " << begin + cnt << "/" << n << " sequences";
      progress(o.str());
    }
  }
}

Batch LstmBaseline::generate(int64_t n, uint64_t seed) const {
  Batch all;
  all.L = impl_->L;
  all.A = impl_->A;
  all.F = impl_->F;
  generate(n, seed, [&](const Batch& b) { append_batch(all, b); });
  return all;
}

}  // namespace doppel
