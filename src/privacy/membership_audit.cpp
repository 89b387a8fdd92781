#include "doppel/privacy/membership_audit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "doppel/error.hpp"

namespace doppel {

double roc_auc(const std::vector<double>& pos, const std::vector<double>& neg) {
  if (pos.empty() || neg.empty()) throw Error("roc_auc: need at least one positive and one negative score");
  // Rank-sum (Mann–Whitney U) with average ranks for ties.
  std::vector<std::pair<double, int>> all;
  for (double s : pos) all.push_back({s, 1});
  for (double s : neg) all.push_back({s, 0});
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first < b.first; });
  double rank_sum = 0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double avg_rank = 0.5 * double(i + 1 + j);  // ranks i+1 .. j
    for (size_t k = i; k < j; ++k)
      if (all[k].second) rank_sum += avg_rank;
    i = j;
  }
  const double np = double(pos.size()), nn = double(neg.size());
  return (rank_sum - np * (np + 1) / 2) / (np * nn);
}

namespace {
std::vector<float> record_vectors(const Batch& b) {
  const int64_t D = b.A + b.L * b.F;
  std::vector<float> out(size_t(b.n * D), 0.0f);
  for (int64_t i = 0; i < b.n; ++i) {
    std::copy_n(b.attributes.data() + i * b.A, b.A, out.data() + i * D);
    const int64_t len = std::min<int64_t>(b.lengths[i], b.L);
    std::copy_n(b.features.data() + i * b.L * b.F, len * b.F, out.data() + i * D + b.A);
  }
  return out;
}

std::vector<double> closest_distances(const Batch& real, const std::vector<float>& syn, int64_t n_syn, int64_t D) {
  auto x = record_vectors(real);
  std::vector<double> out(size_t(real.n));
  for (int64_t i = 0; i < real.n; ++i) {
    const float* a = x.data() + i * D;
    float best = INFINITY;
    for (int64_t j = 0; j < n_syn; ++j) {
      const float* s = syn.data() + j * D;
      float d = 0;
      for (int64_t k = 0; k < D; ++k) d += (a[k] - s[k]) * (a[k] - s[k]);
      best = std::min(best, d);
    }
    out[size_t(i)] = std::sqrt(double(best));
  }
  return out;
}
}  // namespace

MembershipAudit distance_to_closest_record_audit(const Batch& members, const Batch& non_members,
                                                 const Batch& synthetic) {
  if (members.n == 0 || non_members.n == 0 || synthetic.n == 0)
    throw Error("membership audit: need members, non-members and synthetic records (got " +
                std::to_string(members.n) + ", " + std::to_string(non_members.n) + ", " +
                std::to_string(synthetic.n) + ")");
  for (const Batch* b : {&members, &non_members})
    if (b->A != synthetic.A || b->L != synthetic.L || b->F != synthetic.F)
      throw Error("membership audit: real and synthetic records have different shapes");
  const int64_t D = synthetic.A + synthetic.L * synthetic.F;
  auto syn = record_vectors(synthetic);
  MembershipAudit a;
  auto dm = closest_distances(members, syn, synthetic.n, D), dn = closest_distances(non_members, syn, synthetic.n, D);
  std::vector<double> sm, sn;  // closer = more likely a member
  for (double d : dm) sm.push_back(-d), a.mean_dcr_members += d / double(dm.size());
  for (double d : dn) sn.push_back(-d), a.mean_dcr_non_members += d / double(dn.size());
  a.auc = roc_auc(sm, sn);
  a.members = members.n;
  a.non_members = non_members.n;
  a.synthetic = synthetic.n;
  return a;
}

}  // namespace doppel
