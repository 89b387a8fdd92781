// The DoppelGANger networks (one TU keeps the torch compile cost down; each concept
// has its own header in include/doppel/model/).
#include <ATen/CPUGeneratorImpl.h>
#include <map>
#include <tuple>

#include "doppel/config.hpp"
#include "doppel/error.hpp"
#include "doppel/model/discriminator.hpp"
#include "doppel/model/example_random.hpp"
#include "doppel/model/generator.hpp"
#include "doppel/model/lstm_inference.hpp"
#include "doppel/model/mlp.hpp"
#include "doppel/model/output_activation.hpp"
#include "doppel/model/packing.hpp"

namespace doppel {

// --- options and layout ------------------------------------------------------------

ModelOptions ModelOptions::from_config(const Config& c) {
  ModelOptions o;
  auto positive = [&](const char* key, int64_t& field, int64_t min = 1) {
    long long v = c.integer(std::string("model.") + key);
    if (v < min)
      throw Error(c.origin() + ": model." + key + " must be >= " + std::to_string(min) + ", got " +
                  std::to_string(v));
    field = v;
  };
  positive("attribute_noise_dim", o.attribute_noise_dim);
  positive("minmax_noise_dim", o.minmax_noise_dim);
  positive("feature_noise_dim", o.feature_noise_dim);
  positive("attribute_layers", o.attribute_layers, 0);
  positive("attribute_units", o.attribute_units);
  positive("minmax_layers", o.minmax_layers, 0);
  positive("minmax_units", o.minmax_units);
  positive("lstm_layers", o.lstm_layers);
  positive("lstm_units", o.lstm_units);
  positive("disc_layers", o.disc_layers, 0);
  positive("disc_units", o.disc_units);
  positive("attr_disc_layers", o.attr_disc_layers, 0);
  positive("attr_disc_units", o.attr_disc_units);
  positive("sample_len", o.sample_len);
  positive("packing", o.packing);
  o.use_minmax = c.boolean("model.use_minmax");
  // model.attribute_output: {Gumbel noise, critics see the hard one-hot} per value.
  static const std::map<std::string, std::pair<bool, bool>> kAttributeOutputs{
      {"softmax", {false, false}}, {"straight_through", {false, true}},
      {"gumbel", {true, false}}, {"gumbel_hard", {true, true}}};
  const std::string attribute_output = c.string("model.attribute_output");
  const auto mode = kAttributeOutputs.find(attribute_output);
  if (mode == kAttributeOutputs.end())
    throw Error(c.origin() + ": model.attribute_output must be \"softmax\", \"straight_through\", \"gumbel\" or "
                "\"gumbel_hard\", got \"" + attribute_output + "\"");
  std::tie(o.attribute_gumbel, o.attribute_straight_through) = mode->second;
  o.gumbel_tau = c.number("model.gumbel_tau");
  if (!(o.gumbel_tau > 0))
    throw Error(c.origin() + ": model.gumbel_tau must be > 0, got " + std::to_string(o.gumbel_tau));
  o.attribute_autoregressive = c.boolean("model.attribute_autoregressive");
  const std::string feature_output = c.string("model.feature_output");
  if (feature_output != "cell" && feature_output != "interpolated")
    throw Error(c.origin() + ": model.feature_output must be \"cell\" or \"interpolated\", got \"" +
                feature_output + "\"");
  o.interpolated_feature_output = feature_output == "interpolated";
  positive("feature_head_units", o.feature_head_units);
  o.critic_calendar = c.string("model.critic_calendar");
  if (o.critic_calendar != "none" && o.critic_calendar != "day" && o.critic_calendar != "week")
    throw Error(c.origin() + ": model.critic_calendar must be \"none\", \"day\" or \"week\", got \"" +
                o.critic_calendar + "\"");
  return o;
}

ModelLayout ModelLayout::from(const Schema& schema, const ModelOptions& options) {
  ModelLayout l;
  l.attribute_blocks = schema.attribute_outputs();
  l.step_blocks = schema.feature_outputs();
  l.use_minmax = options.use_minmax;
  l.fixed_length = schema.kind == "windows";
  int64_t off = 0;
  for (const auto& b : l.step_blocks) {
    if (!b.discrete) {
      if (b.width != 1)
        throw Error("feature '" + b.name + "': continuous outputs must have width 1, got " +
                    std::to_string(b.width));
      l.continuous_offsets.push_back(off);
      l.continuous_minus_one.push_back(b.minus_one);
      if (options.use_minmax) {
        // (max+min)/2 lives in the feature's own range, (max-min)/2 in [0, 1].
        l.minmax_blocks.push_back({b.name + "/mid", 1, false, b.minus_one});
        l.minmax_blocks.push_back({b.name + "/half", 1, false, false});
      }
    }
    off += int64_t(b.width);
  }
  l.F = off;
  for (const auto& b : l.attribute_blocks) l.A += int64_t(b.width);
  l.M = int64_t(l.minmax_blocks.size());
  l.step_blocks.push_back({"gen_flag", 2, true, false});
  l.L = schema.max_len;
  l.sample_len = options.sample_len;
  if (l.L < 1 || l.L % l.sample_len != 0)
    throw Error("model.sample_len = " + std::to_string(l.sample_len) +
                " must divide the data set's sequence length " + std::to_string(l.L));
  l.cells = l.L / l.sample_len;
  return l;
}

// --- activations and building blocks ----------------------------------------------

torch::Tensor harden_discrete(const torch::Tensor& x, const std::vector<OutputSpec>& blocks) {
  std::vector<torch::Tensor> parts;
  int64_t off = 0;
  for (const auto& b : blocks) {
    auto v = x.narrow(-1, off, int64_t(b.width));
    if (b.discrete)
      parts.push_back(torch::one_hot(v.argmax(-1), int64_t(b.width)).to(x.dtype()));
    else
      parts.push_back(v);
    off += int64_t(b.width);
  }
  return torch::cat(parts, -1);
}

torch::nn::Sequential make_hidden_layers(int64_t in, int64_t units, int64_t layers) {
  torch::nn::Sequential s;
  int64_t width = in;
  for (int64_t i = 0; i < layers; ++i) {
    s->push_back(torch::nn::Linear(width, units));
    s->push_back(torch::nn::ReLU());
    width = units;
  }
  return s;
}

torch::nn::Sequential make_mlp(int64_t in, int64_t units, int64_t layers, int64_t out) {
  auto s = make_hidden_layers(in, units, layers);
  s->push_back(torch::nn::Linear(layers > 0 ? units : in, out));
  return s;
}

torch::Generator make_cpu_generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

namespace {
std::vector<int64_t> global_shape(int64_t global, int64_t offset, int64_t local,
                                  const std::vector<int64_t>& tail) {
  if (offset < 0 || local < 0 || offset + local > global)
    throw Error("example slice [" + std::to_string(offset) + ", " + std::to_string(offset + local) +
                ") outside the global batch of " + std::to_string(global));
  std::vector<int64_t> shape{global};
  shape.insert(shape.end(), tail.begin(), tail.end());
  return shape;
}
}  // namespace

torch::Tensor example_normal(torch::Generator& gen, int64_t global, int64_t offset, int64_t local,
                             const std::vector<int64_t>& tail) {
  auto all = torch::randn(global_shape(global, offset, local, tail), gen);
  return local == global ? all : all.narrow(0, offset, local).contiguous();
}

torch::Tensor example_uniform(torch::Generator& gen, int64_t global, int64_t offset, int64_t local,
                              const std::vector<int64_t>& tail) {
  auto all = torch::rand(global_shape(global, offset, local, tail), gen);
  return local == global ? all : all.narrow(0, offset, local).contiguous();
}

// --- generators ------------------------------------------------------------------

AttributeGeneratorImpl::AttributeGeneratorImpl(const ModelLayout& layout, const ModelOptions& o)
    : blocks_(layout.attribute_blocks), straight_through_(o.attribute_straight_through),
      gumbel_(o.attribute_gumbel) {
  if (o.attribute_autoregressive) {
    // make_mlp's hidden layers, then one output layer per block.
    trunk_ = register_module("trunk", make_hidden_layers(o.attribute_noise_dim, o.attribute_units, o.attribute_layers));
    int64_t in = o.attribute_layers > 0 ? o.attribute_units : o.attribute_noise_dim;
    heads_ = torch::nn::ModuleList();
    for (const auto& b : blocks_) {
      heads_->push_back(torch::nn::Linear(in, int64_t(b.width)));
      in += int64_t(b.width);
    }
    heads_ = register_module("heads", heads_);
  } else {
    mlp_ = register_module("mlp", make_mlp(o.attribute_noise_dim, o.attribute_units, o.attribute_layers,
                                           std::max<int64_t>(layout.A, 1)));
  }
  if (gumbel_) {
    // Per column: 1 in discrete blocks (they get Gumbel noise and 1/tau), 0 in continuous ones.
    std::vector<float> discrete;
    for (const auto& b : blocks_) discrete.insert(discrete.end(), b.width, b.discrete ? 1.f : 0.f);
    discrete_columns_ = torch::tensor(discrete);
    logit_scale_ = 1 + discrete_columns_ * float(1 / o.gumbel_tau - 1);
  }
}

torch::Tensor AttributeGeneratorImpl::forward(const torch::Tensor& noise, const torch::Tensor& gumbel_uniform) {
  if (blocks_.empty()) return torch::zeros({noise.size(0), 0}, noise.options());
  if (gumbel_ && (!gumbel_uniform.defined() || gumbel_uniform.dim() != 2 ||
                  gumbel_uniform.size(0) != noise.size(0) || gumbel_uniform.size(1) != discrete_columns_.size(0)))
    throw Error("attribute generator: model.attribute_output = \"gumbel\" or \"gumbel_hard\" needs uniform noise of shape [B, " +
                std::to_string(discrete_columns_.size(0)) + "]");
  if (heads_) return forward_autoregressive(noise, gumbel_uniform);
  return activate(mlp_->forward(noise), gumbel_uniform, blocks_, 0);
}

// The attributes the generator outputs for the logits of `blocks` (which start at attribute
// column `column`; gumbel_uniform covers all A columns).
torch::Tensor AttributeGeneratorImpl::activate(torch::Tensor logits, const torch::Tensor& gumbel_uniform,
                                               const std::vector<OutputSpec>& blocks, int64_t column) const {
  if (gumbel_) {
    // Gumbel-softmax (as CTGAN does for discrete columns): softmax((logits + g) / tau) with
    // g = -log(-log(u)). Its argmax is a draw from softmax(logits), so the network only has to
    // learn each category's probability, and rare categories appear at their rate instead of
    // losing every argmax; at a small tau the critics see nearly one-hot vectors. Nearly is not
    // enough in the full model: the feature critic separates real from fake by that residual
    // softness, which the generator cannot remove without distorting the probabilities, and the
    // features collapsed (docs/results.md); "gumbel_hard" shows the critics the
    // exact one-hot of the draw (the straight-through branch below).
    const int64_t width = logits.size(-1);
    auto u = gumbel_uniform.narrow(1, column, width);
    auto discrete = discrete_columns_.narrow(0, column, width).to(logits.options());
    auto g = -torch::log(-torch::log(u.clamp(1e-10, 1 - 1e-7)));
    logits = (logits + g * discrete) * logit_scale_.narrow(0, column, width).to(logits.options());
  }
  auto soft = apply_output_activations(logits, blocks);
  if (!straight_through_) return soft;
  // Forward: the one-hot of the argmax (what the feature generator and the decoder use, so
  // the critics judge the attributes the sequence was generated for); backward: the (Gumbel-)
  // softmax's gradient.
  return harden_discrete(soft.detach(), blocks) + (soft - soft.detach());
}

// One block at a time: block k's output layer sees the hidden layer and blocks 0..k-1 as
// generated (one-hot draws with gumbel_hard). With one output layer the blocks are drawn
// independently given the hidden layer, so every dependence between two columns (temperature
// and clouds, weather and its description) must be carried by the hidden layer alone; here a
// column is drawn given the columns before it, the chain rule of the joint distribution.
torch::Tensor AttributeGeneratorImpl::forward_autoregressive(const torch::Tensor& noise,
                                                             const torch::Tensor& gumbel_uniform) {
  std::vector<torch::Tensor> inputs{trunk_->size() > 0 ? trunk_->forward(noise) : noise};
  int64_t column = 0;
  for (size_t k = 0; k < blocks_.size(); ++k) {
    auto logits = heads_[k]->as<torch::nn::Linear>()->forward(torch::cat(inputs, 1));
    inputs.push_back(activate(logits, gumbel_uniform, {blocks_[k]}, column));
    column += int64_t(blocks_[k].width);
  }
  inputs.erase(inputs.begin());
  return torch::cat(inputs, 1);
}

MinMaxGeneratorImpl::MinMaxGeneratorImpl(const ModelLayout& layout, const ModelOptions& o)
    : blocks_(layout.minmax_blocks) {
  mlp_ = register_module("mlp", make_mlp(o.minmax_noise_dim + layout.A, o.minmax_units, o.minmax_layers,
                                         std::max<int64_t>(layout.M, 1)));
}

torch::Tensor MinMaxGeneratorImpl::forward(const torch::Tensor& noise, const torch::Tensor& attributes) {
  return apply_output_activations(mlp_->forward(torch::cat({noise, attributes}, 1)), blocks_);
}

torch::Tensor linear_interpolation_matrix(int64_t steps, int64_t cells) {
  auto m = torch::zeros({steps, cells});
  auto a = m.accessor<float, 2>();
  for (int64_t t = 0; t < steps; ++t) {
    if (cells == 1 || steps == 1) {
      a[t][0] = 1;
      continue;
    }
    const double at = double(t) * double(cells - 1) / double(steps - 1);  // cell 0 at step 0, the last at steps-1
    const int64_t i = std::min<int64_t>(int64_t(at), cells - 2);
    a[t][i] = float(1 - (at - double(i)));
    a[t][i + 1] = float(at - double(i));
  }
  return m;
}

FeatureGeneratorImpl::FeatureGeneratorImpl(const ModelLayout& layout, const ModelOptions& o)
    : blocks_(layout.step_blocks), fixed_length_(layout.fixed_length), L_(layout.L), sample_len_(layout.sample_len),
      step_width_(layout.step_width()) {
  lstm_ = register_module(
      "lstm", torch::nn::LSTM(torch::nn::LSTMOptions(layout.all_attribute_width() + o.feature_noise_dim,
                                                     o.lstm_units)
                                  .num_layers(o.lstm_layers)
                                  .batch_first(true)));
  if (o.interpolated_feature_output) {
    // Resize-then-transform (Odena et al. 2016, "Deconvolution and checkerboard artifacts"): each
    // cell's state is mapped to a step state, these are interpolated to every step, and one output
    // layer shared by all steps maps them to outputs, so no weight belongs to a position in a cell.
    // The map comes before the interpolation: both are linear (the interpolation weights sum to 1,
    // so the bias passes through), so this is the same function as interpolating first at a
    // sample_len-th of the cost.
    step_state_ = register_module("step_state", torch::nn::Linear(o.lstm_units, o.feature_head_units));
    out_ = register_module("out", torch::nn::Linear(o.feature_head_units, step_width_));
    interpolation_ = linear_interpolation_matrix(L_, layout.cells);
  } else {
    out_ = register_module("out", torch::nn::Linear(o.lstm_units, sample_len_ * step_width_));
  }
}

torch::Tensor FeatureGeneratorImpl::forward(const torch::Tensor& attributes, const torch::Tensor& noise) {
  const int64_t B = noise.size(0), cells = noise.size(1);
  if (cells * sample_len_ != L_)
    throw Error("feature generator: " + std::to_string(cells) + " noise cells × sample_len " +
                std::to_string(sample_len_) + " != sequence length " + std::to_string(L_));
  torch::Tensor hidden;  // [B, cells, H]
  if (lstm_inference_applies(lstm_, attributes, noise)) {
    hidden = lstm_inference_forward(lstm_, attributes, noise);  // generation: same numbers to float rounding
  } else if (lstm_training_applies(lstm_, attributes, noise)) {
    hidden = lstm_training_forward(lstm_, attributes, noise);  // training: fused cells, own backward
  } else {
    auto input = torch::cat({attributes.unsqueeze(1).expand({B, cells, attributes.size(1)}), noise}, 2);
    hidden = std::get<0>(lstm_->forward(input));
  }
  if (!step_state_) {
    auto steps = out_->forward(hidden).reshape({B, L_, step_width_});  // cell c -> steps c*S..c*S+S-1
    return activate_steps(steps);
  }
  if (interpolation_.device() != hidden.device() || interpolation_.dtype() != hidden.dtype())
    interpolation_ = interpolation_.to(hidden.options());
  // Time-major so that the interpolation and the output layer are one matrix product each:
  // [L, cells] x [cells, B*P] -> [L, B, P] -> [L, B, F+2], then back to batch-major.
  auto cell_states = step_state_->forward(hidden).transpose(0, 1).contiguous();  // [cells, B, P]
  auto step_states = interpolation_.mm(cell_states.view({cells, -1})).view({L_, B, -1});
  auto steps = out_->forward(torch::relu(step_states)).transpose(0, 1);
  return activate_steps(steps);
}

torch::Tensor FeatureGeneratorImpl::activate_steps(const torch::Tensor& steps) const {
  // Windows never end early: no mask, so no generated week is cut short (see model_layout.hpp).
  return fixed_length_ ? apply_output_activations(steps, blocks_) : activate_and_mask_steps(steps, blocks_);
}

namespace {
// keep[b, t] = 1 while every step before t said "continue" (flag argmax 0).
torch::Tensor keep_mask(const torch::Tensor& steps) {
  const int64_t W = steps.size(-1), L = steps.size(1);
  auto flag = steps.narrow(-1, W - 2, 2);
  auto cont = (flag.select(-1, 0) >= flag.select(-1, 1)).to(steps.dtype());  // [B, L]
  auto ones = torch::ones({steps.size(0), 1}, steps.options());
  if (L == 1) return ones;
  return torch::cat({ones, torch::cumprod(cont, 1).narrow(1, 0, L - 1)}, 1);
}
}  // namespace

torch::Tensor mask_after_generation_flag(const torch::Tensor& steps) {
  return steps * keep_mask(steps).unsqueeze(-1);
}

torch::Tensor lengths_from_generation_flag(const torch::Tensor& steps) {
  return keep_mask(steps).sum(1).to(torch::kLong);
}

GeneratorImpl::GeneratorImpl(const ModelLayout& layout, const ModelOptions& o) : layout_(layout) {
  attribute_ = register_module("attribute", AttributeGenerator(layout, o));
  if (layout.M > 0) minmax_ = register_module("minmax", MinMaxGenerator(layout, o));
  feature_ = register_module("feature", FeatureGenerator(layout, o));
}

std::pair<torch::Tensor, torch::Tensor> GeneratorImpl::attribute_stage(const GeneratorNoise& noise,
                                                                        const torch::Tensor& given_attributes) {
  torch::Tensor attr, attr_hard;
  if (given_attributes.defined()) {
    if (given_attributes.dim() != 2 || given_attributes.size(1) != layout_.A)
      throw Error("given attributes must be [B, " + std::to_string(layout_.A) + "]");
    attr = given_attributes;
    attr_hard = harden_discrete(given_attributes, layout_.attribute_blocks);
  } else {
    attr = attribute_->forward(noise.attribute, noise.gumbel);
    attr_hard = harden_discrete(attr.detach(), layout_.attribute_blocks);
  }
  if (layout_.M == 0) return {attr, attr_hard};
  auto mm = minmax_->forward(noise.minmax, attr_hard);
  return {torch::cat({attr, mm}, 1), torch::cat({attr_hard, mm.detach()}, 1)};
}

Generated GeneratorImpl::forward(const GeneratorNoise& noise, const torch::Tensor& given_attributes) {
  auto [all, all_hard] = attribute_stage(noise, given_attributes);
  return {all, feature_->forward(all_hard, noise.feature)};
}

torch::Tensor GeneratorImpl::attributes_only(const GeneratorNoise& noise) { return attribute_stage(noise, {}).first; }

GeneratorNoise draw_generator_noise(torch::Generator& gen, const ModelLayout& layout, const ModelOptions& o,
                                    int64_t global, int64_t offset, int64_t local) {
  GeneratorNoise n;
  n.attribute = example_normal(gen, global, offset, local, {o.attribute_noise_dim});
  if (layout.M > 0) n.minmax = example_normal(gen, global, offset, local, {o.minmax_noise_dim});
  n.feature = example_normal(gen, global, offset, local, {layout.cells, o.feature_noise_dim});
  // Drawn last and only when used, so that the other noise (and every run without it) is unchanged.
  if (o.attribute_gumbel && layout.A > 0) n.gumbel = example_uniform(gen, global, offset, local, {layout.A});
  return n;
}

// --- critics ---------------------------------------------------------------------

DiscriminatorImpl::DiscriminatorImpl(int64_t in, int64_t units, int64_t layers) {
  mlp_ = register_module("mlp", make_mlp(in, units, layers, 1));
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& x) { return mlp_->forward(x).squeeze(1); }

torch::Tensor DiscriminatorImpl::input_gradient(const torch::Tensor& x) {
  // The MLP is Linear (ReLU Linear)*: d(sum D)/dx = w_out ⊙ m_k W_k ... ⊙ m_1 W_1 row by row,
  // m_l = (z_l > 0) as ReLU's backward uses. The masks are piecewise constant in x (zero
  // derivative), so they come from a no-grad forward; only the chain of weights is recorded.
  std::vector<torch::nn::LinearImpl*> linears;
  bool expect_linear = true;
  for (const auto& m : mlp_->children()) {
    auto* linear = m->as<torch::nn::Linear>();
    if (expect_linear ? linear == nullptr : m->as<torch::nn::ReLU>() == nullptr) return {};
    if (linear) linears.push_back(linear);
    expect_linear = !expect_linear;
  }
  if (expect_linear || linears.back()->weight.size(0) != 1) return {};
  std::vector<torch::Tensor> masks;
  {
    torch::NoGradGuard no_grad;
    auto h = x.detach();
    for (size_t i = 0; i + 1 < linears.size(); ++i) {
      auto z = torch::addmm(linears[i]->bias, h, linears[i]->weight.t());  // = Linear's forward
      masks.push_back((z > 0).to(z.scalar_type()));
      h = z.clamp_min_(0);
    }
  }
  auto g = linears.back()->weight.expand({x.size(0), linears.back()->weight.size(1)});
  for (size_t i = masks.size(); i-- > 0;) g = (g * masks[i]).mm(linears[i]->weight);
  return g;
}

torch::Tensor pack_examples(const torch::Tensor& x, int64_t packing) {
  const int64_t B = x.size(0);
  if (packing < 1 || B % packing != 0)
    throw Error("packing " + std::to_string(packing) + " does not divide the batch of " + std::to_string(B));
  if (packing == 1) return x;
  return x.reshape({B / packing, packing * x.size(1)});
}

torch::Tensor feature_critic_input(const torch::Tensor& features, const torch::Tensor& attributes,
                                   int64_t packing) {
  return pack_examples(torch::cat({features.flatten(1), attributes}, 1), packing);
}

}  // namespace doppel
