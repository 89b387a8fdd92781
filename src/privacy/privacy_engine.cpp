#include "doppel/privacy/privacy_engine.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "doppel/error.hpp"
#include "doppel/model/example_random.hpp"

namespace doppel {

PrivacyOptions PrivacyOptions::from_config(const Config& c) {
  PrivacyOptions o;
  const std::string at = c.origin() + ": privacy.";
  o.target_epsilon = c.number("privacy.target_epsilon");
  o.delta = c.number("privacy.delta");
  o.noise_multiplier = c.number("privacy.noise_multiplier");
  o.clip_norm = c.number("privacy.clip_norm");
  o.joint_clipping = c.boolean("privacy.joint_clipping");
  o.group_clip_norms = c.numbers("privacy.group_clip_norms");
  o.orders = c.numbers("privacy.orders");
  long long seed = c.integer("privacy.seed");
  if (!(o.target_epsilon > 0)) throw Error(at + "target_epsilon must be > 0, got " + std::to_string(o.target_epsilon));
  if (!(o.delta > 0 && o.delta < 1)) throw Error(at + "delta must be in (0, 1), got " + std::to_string(o.delta));
  if (!(o.noise_multiplier >= 0) || !std::isfinite(o.noise_multiplier))
    throw Error(at + "noise_multiplier must be >= 0 (0 = calibrate), got " + std::to_string(o.noise_multiplier));
  if (!(o.clip_norm > 0)) throw Error(at + "clip_norm must be > 0, got " + std::to_string(o.clip_norm));
  for (double b : o.group_clip_norms)
    if (!(b > 0) || !std::isfinite(b)) throw Error(at + "group_clip_norms: every bound must be > 0, got " + std::to_string(b));
  if (seed < 0) throw Error(at + "seed must be >= 0 (0 = fresh entropy), got " + std::to_string(seed));
  o.seed = uint64_t(seed);
  return o;
}

uint64_t fresh_privacy_seed(uint64_t configured) {
  if (configured != 0) return configured;
  std::random_device rd;
  uint64_t s = 0;
  while (s == 0) s = (uint64_t(rd()) << 32) ^ uint64_t(rd());
  return s;
}

PrivacyEngine::PrivacyEngine(const PrivacyOptions& options, std::vector<torch::nn::Module*> critics, double q,
                             int64_t planned_steps, uint64_t seed)
    : options_(options), q_(q), accountant_(options.orders) {
  if (!(q > 0 && q <= 1))
    throw Error("privacy: sampling rate q = expected global batch / data set size must be in (0, 1], got " +
                std::to_string(q));
  if (seed == 0) throw Error("privacy: the engine needs a resolved (non-zero) seed");
  size_t n_layers = 0;
  for (size_t k = 0; k < critics.size(); ++k) {
    critics_.push_back(mlp_linear_layers(*critics[k]));
    for (size_t l = 0; l < critics_.back().size(); ++l) {
      if (!options.group_clip_norms.empty()) {
        layer_group_.push_back(int(n_layers));
      } else {
        layer_group_.push_back(options.joint_clipping ? 0 : int(k));
      }
      ++n_layers;
    }
  }
  if (!options.group_clip_norms.empty()) {
    if (options.group_clip_norms.size() != n_layers)
      throw Error("privacy.group_clip_norms has " + std::to_string(options.group_clip_norms.size()) +
                  " bounds; the critics have " + std::to_string(n_layers) +
                  " Linear layers (one bound per layer: sequence critic first, then the attribute critic)");
    bounds_ = options.group_clip_norms;
  } else {
    bounds_.assign(options.joint_clipping ? 1 : critics_.size(), options.clip_norm);
  }
  if (options.noise_multiplier > 0) {
    sigma_ = options.noise_multiplier;
  } else {
    if (planned_steps < 1) throw Error("privacy: cannot calibrate sigma for " + std::to_string(planned_steps) + " steps");
    sigma_ = calibrate_sigma(q, planned_steps, options.delta, options.target_epsilon);
  }
  noise_rng_ = make_cpu_generator(seed);
  sample_rng_ = make_cpu_generator(seed ^ 0x9e3779b97f4a7c15ULL);
}

double PrivacyEngine::noise_std(int group) const {
  return sigma_ * std::sqrt(double(bounds_.size())) * bounds_.at(size_t(group));
}

std::vector<int64_t> PrivacyEngine::poisson_sample(int64_t n, int64_t begin, int64_t end) {
  if (begin < 0 || end < begin || end > n)
    throw Error("privacy: shard [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside the " +
                std::to_string(n) + " items");
  // Double precision so that q below float resolution is still honoured.
  auto u = torch::rand({n}, sample_rng_, torch::kDouble);
  auto chosen = (u.narrow(0, begin, end - begin) < q_).nonzero().reshape(-1) + begin;
  chosen = chosen.contiguous();
  return std::vector<int64_t>(chosen.data_ptr<int64_t>(), chosen.data_ptr<int64_t>() + chosen.numel());
}

std::vector<torch::Tensor> PrivacyEngine::clipped_gradient_sum(const std::vector<torch::Tensor>& inputs,
                                                               double loss_sign, torch::Tensor* norms) const {
  if (inputs.size() != critics_.size())
    throw Error("privacy: " + std::to_string(inputs.size()) + " critic inputs for " +
                std::to_string(critics_.size()) + " critics");
  torch::NoGradGuard no_grad;
  const int64_t B = inputs.empty() ? 0 : inputs[0].size(0);
  std::vector<MlpTrace> traces;
  for (size_t k = 0; k < critics_.size(); ++k) {
    if (inputs[k].size(0) != B) throw Error("privacy: critic inputs differ in their number of examples");
    traces.push_back(trace_mlp(critics_[k], inputs[k].to(torch::kFloat), loss_sign));
  }
  // Squared norm of every example's gradient per group, from the traces alone.
  auto sq = torch::zeros({B, int64_t(bounds_.size())}, torch::kFloat);
  size_t layer = 0;
  for (size_t k = 0; k < critics_.size(); ++k)
    for (size_t l = 0; l < critics_[k].size(); ++l, ++layer)
      sq.select(1, layer_group_[layer]).add_(layer_sq_norms(traces[k], l));
  auto norm = sq.sqrt();
  auto bounds = torch::tensor(bounds_, torch::kDouble).to(torch::kFloat);
  // Opacus's factor: C / (||g|| + 1e-6), at most 1, so a clipped norm never exceeds C.
  auto factor = (bounds.unsqueeze(0) / (norm + 1e-6)).clamp_max(1.0);
  if (norms) *norms = norm;
  std::vector<torch::Tensor> out;
  layer = 0;
  for (size_t k = 0; k < critics_.size(); ++k)
    for (size_t l = 0; l < critics_[k].size(); ++l, ++layer)
      for (auto& t : layer_weighted_sum(traces[k], l, factor.select(1, layer_group_[layer]))) out.push_back(t);
  return out;
}

std::vector<torch::Tensor> PrivacyEngine::draw_noise() {
  std::vector<torch::Tensor> out;
  size_t layer = 0;
  for (auto& layers : critics_)
    for (auto& lin : layers) {
      const double s = noise_std(layer_group_[layer++]);
      out.push_back(torch::randn(lin->weight.sizes(), noise_rng_, torch::kFloat) * s);
      out.push_back(torch::randn(lin->bias.sizes(), noise_rng_, torch::kFloat) * s);
    }
  return out;
}

void PrivacyEngine::add_private_gradients(const std::vector<torch::Tensor>& inputs, double loss_sign, bool add_noise,
                                          double expected_batch) {
  auto sums = clipped_gradient_sum(inputs, loss_sign);
  std::vector<torch::Tensor> noise;
  if (add_noise) noise = draw_noise();
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& layers : critics_)
    for (auto& lin : layers)
      for (torch::Tensor* p : {&lin->weight, &lin->bias}) {
        auto contribution = add_noise ? sums[i] + noise[i] : sums[i];
        if (!p->grad().defined()) p->mutable_grad() = torch::zeros_like(*p);
        p->mutable_grad().add_(contribution / expected_batch);
        ++i;
      }
}

double PrivacyEngine::epsilon_after(int64_t more) const {
  RdpAccountant next = accountant_;
  next.step(q_, sigma_, more);
  return next.epsilon(options_.delta);
}

std::string PrivacyEngine::state_json() const {
  nlohmann::json j = {{"format", "doppel-privacy-engine"},
                      {"version", 1},
                      {"noise_multiplier", sigma_},
                      {"sampling_rate", q_},
                      {"delta", options_.delta},
                      {"group_bounds", bounds_},
                      {"accountant", nlohmann::json::parse(accountant_.to_json())}};
  return j.dump();
}

void PrivacyEngine::load_state(const std::string& text, const torch::Tensor& noise_rng, const torch::Tensor& sample_rng,
                               const std::string& where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw Error(where + ": privacy state is not JSON (" + e.what() + ")");
  }
  if (j.value("format", "") != "doppel-privacy-engine")
    throw Error(where + ": privacy state has no format 'doppel-privacy-engine'");
  auto same = [&](const char* key, double mine, const std::string& what) {
    double theirs = j.at(key).get<double>();
    if (theirs != mine)
      throw Error(where + ": the checkpoint was trained with " + what + " " + std::to_string(theirs) +
                  ", this configuration gives " + std::to_string(mine) +
                  " (changing it mid-run would break the accounting)");
  };
  same("noise_multiplier", sigma_, "noise multiplier sigma");
  same("sampling_rate", q_, "sampling rate q");
  same("delta", options_.delta, "privacy.delta");
  if (j.at("group_bounds").get<std::vector<double>>() != bounds_)
    throw Error(where + ": the checkpoint was trained with different clipping bounds/groups");
  accountant_ = RdpAccountant::from_json(j.at("accountant").dump());
  noise_rng_.set_state(noise_rng);
  sample_rng_.set_state(sample_rng);
}

std::string PrivacyEngine::summary_json() const {
  double alpha = 0;
  const double eps = accountant_.total_steps() > 0 ? accountant_.epsilon(options_.delta, &alpha) : 0.0;
  nlohmann::json j = {{"epsilon", eps},
                      {"delta", options_.delta},
                      {"target_epsilon", options_.target_epsilon},
                      {"noise_multiplier", sigma_},
                      {"sampling_rate", q_},
                      {"accounted_steps", accountant_.total_steps()},
                      {"best_order", alpha},
                      {"clipping", options_.group_clip_norms.empty()
                                       ? (options_.joint_clipping ? "joint" : "per_critic")
                                       : "per_layer_group"},
                      {"group_bounds", bounds_},
                      {"accountant", "rdp (Mironov et al. 2019; Balle et al. 2020 conversion)"}};
  return j.dump();
}

}  // namespace doppel
