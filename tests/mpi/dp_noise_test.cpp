// Under mpirun -np 2: the noise on the GLOBAL sum of clipped gradients has std σ·C (added
// once, by rank 0), not σ·C·√2 (once per rank) — statistical, with a fixed seed.
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include <cmath>

#include "doppel/dist/communicator.hpp"
#include "doppel/model/discriminator.hpp"
#include "doppel/privacy/privacy_engine.hpp"

using namespace doppel;

namespace {
std::unique_ptr<Communicator> g_comm;
}

TEST(DpNoise, GlobalSumCarriesNoiseOfStdSigmaC) {
  Communicator& comm = *g_comm;
  ASSERT_EQ(comm.world(), 2);
  torch::manual_seed(3);  // same critic weights on both ranks
  Discriminator critic(12, 8, 1), attr(5, 4, 1);
  PrivacyOptions o;
  o.clip_norm = 0.4;
  o.joint_clipping = true;  // one group: noise std σ·C (per critic it would be σ·√2·C per group)
  o.noise_multiplier = 1.7;
  PrivacyEngine engine(o, {critic.ptr().get(), attr.ptr().get()}, 0.1, 10, 77);
  // Each rank's own examples (different per rank).
  torch::manual_seed(100 + comm.rank());
  std::vector<torch::Tensor> inputs{torch::randn({6, 12}), torch::randn({6, 5})};
  std::vector<torch::Tensor> params = critic->parameters();
  for (auto& p : attr->parameters()) params.push_back(p);
  // The noiseless global sum of clipped gradients, for reference.
  std::vector<torch::Tensor> clean;
  for (auto& t : engine.clipped_gradient_sum(inputs, -1.0)) clean.push_back(t.reshape(-1));
  auto clean_sum = torch::cat(clean).contiguous();
  comm.all_reduce_sum(clean_sum);

  std::vector<torch::Tensor> residuals;
  for (int r = 0; r < 400; ++r) {
    for (auto& p : params) p.mutable_grad() = torch::zeros_like(p);
    engine.add_private_gradients(inputs, -1.0, comm.rank() == 0, /*expected_batch=*/1.0);
    std::vector<torch::Tensor> g;
    for (auto& p : params) g.push_back(p.grad().reshape(-1));
    auto flat = torch::cat(g).contiguous();
    comm.all_reduce_sum(flat);
    residuals.push_back((flat - clean_sum).to(torch::kDouble));
  }
  auto all = torch::cat(residuals);
  const double n = double(all.numel()), expect = 1.7 * 0.4;
  const double sd = all.std().item<double>();
  EXPECT_NEAR(sd, expect, 5 * expect / std::sqrt(2 * n)) << "noise std on the global sum";
  EXPECT_NEAR(all.mean().item<double>(), 0.0, 5 * expect / std::sqrt(n));
  // Far from the σ·C·√2 that noising on every rank would give.
  EXPECT_LT(sd, expect * 1.2);
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  g_comm = make_communicator("mpi");
  int rc = RUN_ALL_TESTS();
  int any = rc != 0, all_rc = 0;
  MPI_Allreduce(&any, &all_rc, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  g_comm.reset();
  return all_rc;
}
