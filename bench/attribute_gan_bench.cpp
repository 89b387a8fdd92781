// How well the attribute generator alone can learn a data set's attributes: trains the
// attribute generator against the attribute critic only (WGAN-GP, the trainer's losses and
// optimizers; no features), then prints the histogram overlap of every attribute and the mean
// 2-D overlap over attribute pairs (the similarity metric's parts (a) and (b) restricted to
// attributes, argmax-decoded like `doppel generate`). A cheap way (a minute, not half an hour)
// to compare attribute-generator variants before a full training run.
//   build/bench/attribute_gan_bench --data PREPARED.h5 [--config FILE] [--set key=value ...]
//       [--steps N] [--every N] [--n-eval N] [--d-rounds N]
// Prints a JSON line per evaluation: {"what", "step", "secs", "overlap" {name: O}, "mean_overlap",
// "pair_overlap"}; "what" is "generator", "ema" (the moving average of its weights, --ema) or,
// first, "real_sample": n-eval real rows drawn at random, the ceiling set by sampling noise.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "doppel/runtime/blas_kernels.hpp"
#include "doppel/data/batch_source.hpp"
#include "doppel/config/config.hpp"
#include "doppel/error.hpp"
#include "doppel/model/attribute_generator.hpp"
#include "doppel/model/discriminator.hpp"
#include "doppel/model/example_random.hpp"
#include "doppel/model/model_layout.hpp"
#include "doppel/model/packing.hpp"
#include "doppel/model/wgan_gp.hpp"
#include "doppel/optim/fused_adam.hpp"

using namespace doppel;

namespace {

// Category index of every discrete attribute block per row: [n][blocks].
std::vector<std::vector<int>> categories(const float* x, int64_t n, const std::vector<OutputSpec>& blocks, int64_t A) {
  std::vector<std::vector<int>> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (const auto& b : blocks) {
      if (b.discrete) {
        const float* v = x + i * A + off;
        int best = 0;
        for (int k = 1; k < int(b.width); ++k)
          if (v[k] > v[best]) best = k;
        out[size_t(i)].push_back(best);
      }
      off += int64_t(b.width);
    }
  }
  return out;
}

double overlap(const std::map<int64_t, double>& p, const std::map<int64_t, double>& q) {
  double o = 0;
  for (const auto& [k, v] : p)
    if (auto it = q.find(k); it != q.end()) o += std::min(v, it->second);
  return o;
}

std::map<int64_t, double> histogram(const std::vector<std::vector<int>>& c, size_t a, int64_t b_or_neg) {
  std::map<int64_t, double> h;
  for (const auto& row : c) {
    int64_t key = b_or_neg < 0 ? row[a] : int64_t(row[a]) * 100000 + row[size_t(b_or_neg)];
    h[key] += 1.0 / double(c.size());
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  doppel::select_openblas_kernels(argv);  // as the doppel binary does (src/cli/main.cpp)
  try {
    std::map<std::string, std::string> opt{{"steps", "5000"}, {"every", "1000"}, {"n-eval", "5000"},
                                           {"d-rounds", "1"}, {"seed", "0"}, {"config", ""}, {"data", ""},
                                           {"ema", "0"}};
    std::vector<std::string> sets;
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--help") {
        std::printf("usage: attribute_gan_bench --data PREPARED.h5 [--config FILE] [--set key=value ...]\n"
                    "       [--steps N] [--every N] [--n-eval N] [--d-rounds N] [--seed S] [--ema DECAY]\n");
        return 0;
      }
      if (a.rfind("--", 0) != 0 || i + 1 >= argc) throw Error("bad argument '" + a + "' (see --help)");
      std::string key = a.substr(2), value = argv[++i];
      if (key == "set") sets.push_back(value);
      else if (opt.count(key)) opt[key] = value;
      else throw Error("unknown option --" + key + " (see --help)");
    }
    if (opt["data"].empty()) throw Error("--data is required");
    auto num = [&](const char* k) { return int64_t(std::stoll(opt[k])); };
    torch::set_num_threads(1);
    Config c = Config::load(opt["config"], sets);
    FileSource src(opt["data"], 0);
    ModelOptions mo = ModelOptions::from_config(c);
    ModelLayout layout = ModelLayout::from(src.schema(), mo);
    const int64_t A = layout.A, n = src.size();
    std::vector<int64_t> all(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) all[size_t(i)] = i;
    Batch real_all = src.read_indices(all);
    auto real = torch::from_blob(real_all.attributes.data(), {n, A}, torch::kFloat).clone();
    auto real_cat = categories(real_all.attributes.data(), n, layout.attribute_blocks, A);

    torch::manual_seed(uint64_t(num("seed")));
    AttributeGenerator gen(layout, mo);
    const int64_t P = mo.packing;
    Discriminator critic(A * P, mo.attr_disc_units, mo.attr_disc_layers);
    auto adam = [&](double lr) {
      return torch::optim::AdamOptions(lr).betas(std::make_tuple(c.number("train.adam_beta1"), c.number("train.adam_beta2")));
    };
    FusedAdam opt_g(gen->parameters(), adam(c.number("train.g_base_lr")));
    FusedAdam opt_d(critic->parameters(), adam(c.number("train.d_attr_lr")));
    auto rng = make_cpu_generator(uint64_t(num("seed")) + 1);
    std::mt19937_64 pick(uint64_t(num("seed")) + 2);
    const int64_t B = c.integer("train.batch_size"), steps = num("steps"), every = num("every");
    const int64_t d_rounds = num("d-rounds"), n_eval = num("n-eval");
    const double gp = c.number("train.attr_gp_coe");
    // The generator's output for m rows of fresh noise (and Gumbel noise with attribute_output "gumbel[_hard]").
    auto generate = [&](int64_t m) {
      auto z = example_normal(rng, m, 0, m, {mo.attribute_noise_dim});
      return gen->forward(z, mo.attribute_gumbel ? example_uniform(rng, m, 0, m, {A}) : torch::Tensor());
    };
    // --ema D: also evaluate an exponential moving average of the generator's weights.
    const double ema_decay = std::stod(opt["ema"]);
    std::vector<torch::Tensor> ema;
    for (auto& p : gen->parameters()) ema.push_back(p.detach().clone());
    auto names = [&] {
      std::vector<std::string> out;
      for (const auto& b : layout.attribute_blocks)
        if (b.discrete) out.push_back(b.name);
      return out;
    }();
    // Overlaps of n_eval rows against all real rows (the similarity metric's parts (a) and (b)).
    auto report = [&](const char* what, int64_t step, const std::vector<std::vector<int>>& syn_cat, double secs) {
      double mean = 0, pair = 0;
      int pairs = 0;
      std::string per;
      for (size_t a = 0; a < names.size(); ++a) {
        double o = overlap(histogram(real_cat, a, -1), histogram(syn_cat, a, -1));
        mean += o / double(names.size());
        char buf[96];
        std::snprintf(buf, sizeof buf, "%s\"%s\": %.3f", a ? ", " : "", names[a].c_str(), o);
        per += buf;
        for (size_t b = a + 1; b < names.size(); ++b, ++pairs)
          pair += overlap(histogram(real_cat, a, int64_t(b)), histogram(syn_cat, a, int64_t(b)));
      }
      std::printf("{\"what\": \"%s\", \"step\": %lld, \"secs\": %.1f, \"mean_overlap\": %.4f, \"pair_overlap\": %.4f, "
                  "\"overlap\": {%s}}\n", what, (long long)step, secs, mean, pairs ? pair / pairs : 0.0, per.c_str());
      std::fflush(stdout);
    };
    {  // the ceiling: n_eval real rows drawn at random (sampling noise of the overlaps alone)
      auto idx = torch::randint(n, {n_eval}, rng);
      std::vector<std::vector<int>> sub;
      for (int64_t i = 0; i < n_eval; ++i) sub.push_back(real_cat[size_t(idx[i].item<int64_t>())]);
      report("real_sample", 0, sub, 0.0);
    }
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t step = 1; step <= steps; ++step) {
      for (int64_t r = 0; r < d_rounds; ++r) {
        auto idx = torch::randint(n, {B}, rng);
        auto x = real.index_select(0, idx);
        torch::Tensor fake;
        {
          torch::NoGradGuard ng;
          fake = generate(B);
        }
        auto l = critic_loss(critic, pack_examples(x, P), pack_examples(fake, P), example_uniform(rng, B / P, 0, B / P, {}), gp);
        opt_d.zero_grad();
        l.per_example.mean().backward();
        opt_d.step();
      }
      for (auto& p : critic->parameters()) p.set_requires_grad(false);
      auto fake = generate(B);
      auto gl = -critic->forward(pack_examples(fake, P)).mean();
      opt_g.zero_grad();
      gl.backward();
      opt_g.step();
      for (auto& p : critic->parameters()) p.set_requires_grad(true);
      if (ema_decay > 0) {
        torch::NoGradGuard ng;
        size_t k = 0;
        for (auto& p : gen->parameters()) ema[k++].mul_(ema_decay).add_(p.detach(), 1.0 - ema_decay);
      }
      if (step % every == 0 || step == steps) {
        torch::NoGradGuard ng;
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        auto sample = [&] {
          gen->eval();
          auto syn = generate(n_eval).contiguous();
          gen->train();
          return categories(syn.data_ptr<float>(), n_eval, layout.attribute_blocks, A);
        };
        report("generator", step, sample(), secs);
        if (ema_decay > 0) {
          std::vector<torch::Tensor> live;
          size_t k = 0;
          for (auto& p : gen->parameters()) {
            live.push_back(p.detach().clone());
            p.copy_(ema[k++]);
          }
          report("ema", step, sample(), secs);
          k = 0;
          for (auto& p : gen->parameters()) p.copy_(live[k++]);
        }
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "attribute_gan_bench: error: " << e.what() << "\n";
    return 1;
  }
}
