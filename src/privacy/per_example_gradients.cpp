#include "doppel/privacy/per_example_gradients.hpp"

#include "doppel/error.hpp"

namespace doppel {

std::vector<torch::nn::Linear> mlp_linear_layers(torch::nn::Module& module) {
  std::vector<torch::nn::Linear> layers;
  std::string expect = "Linear";  // what the next leaf must be
  for (const auto& m : module.modules(/*include_self=*/false)) {
    if (!m->children().empty()) continue;  // containers (Sequential)
    if (auto* lin = m->as<torch::nn::LinearImpl>()) {
      if (expect != "Linear") throw Error("per-example gradients: two Linear layers without a ReLU between them");
      layers.emplace_back(std::dynamic_pointer_cast<torch::nn::LinearImpl>(m));
      (void)lin;
      expect = "ReLU";
    } else if (m->as<torch::nn::ReLUImpl>()) {
      if (expect != "ReLU") throw Error("per-example gradients: a ReLU not preceded by a Linear layer");
      expect = "Linear";
    } else {
      throw Error("per-example gradients: unsupported layer " + m->name() +
                  " (only MLPs of Linear and ReLU layers are supported)");
    }
  }
  if (layers.empty() || expect != "ReLU") throw Error("per-example gradients: the MLP must end in a Linear layer");
  if (layers.back()->weight.size(0) != 1)
    throw Error("per-example gradients: the last Linear layer must have one output, has " +
                std::to_string(layers.back()->weight.size(0)));
  return layers;
}

MlpTrace trace_mlp(const std::vector<torch::nn::Linear>& layers, const torch::Tensor& x, double loss_sign) {
  torch::NoGradGuard no_grad;
  MlpTrace t;
  std::vector<torch::Tensor> pre;  // z_l, to know where the ReLU passes gradient
  torch::Tensor a = x.detach();
  for (size_t l = 0; l < layers.size(); ++l) {
    t.inputs.push_back(a);
    auto z = torch::addmm(layers[l]->bias, a, layers[l]->weight.t());
    pre.push_back(z);
    a = l + 1 < layers.size() ? torch::relu(z) : z;
  }
  t.output = a.squeeze(1);
  t.output_grads.resize(layers.size());
  // dℓ/dz_last = loss_sign; then back through W and the ReLU mask (relu'(0) = 0, as torch).
  torch::Tensor g = torch::full({x.size(0), 1}, loss_sign, x.options());
  for (size_t l = layers.size(); l-- > 0;) {
    t.output_grads[l] = g;
    if (l > 0) g = g.mm(layers[l]->weight) * (pre[l - 1] > 0).to(g.dtype());
  }
  return t;
}

torch::Tensor layer_sq_norms(const MlpTrace& t, size_t l) {
  auto g2 = t.output_grads[l].pow(2).sum(1);
  return g2 * t.inputs[l].pow(2).sum(1) + g2;
}

std::vector<torch::Tensor> layer_weighted_sum(const MlpTrace& t, size_t l, const torch::Tensor& scale) {
  auto g = t.output_grads[l] * scale.reshape({-1, 1});
  return {g.t().mm(t.inputs[l]), g.sum(0)};
}

std::vector<torch::Tensor> layer_per_example(const MlpTrace& t, size_t l) {
  return {torch::einsum("bo,bi->boi", {t.output_grads[l], t.inputs[l]}), t.output_grads[l].clone()};
}

}  // namespace doppel
