// Membership-inference audit of a synthetic data set: the distance-to-closest-record (DCR)
// attack. A real sequence that was in the training data ("member") should, if the model
// memorised it, lie closer to some synthetic record than a held-out one does. The attack
// scores each real sequence by −min_j ||x − s_j||₂ (encoded space: attributes, then the
// features of the valid steps, zero after the length) and the audit reports the ROC AUC
// of members against non-members: 0.5 = no membership signal, 1 = every member exposed.
// (Torch-free; `doppel sweep` runs it on each of its runs.)
#pragma once
#include <cstdint>
#include <vector>

#include "doppel/data/dataset.hpp"

namespace doppel {

struct MembershipAudit {
  double auc = 0.5;
  int64_t members = 0, non_members = 0, synthetic = 0;
  double mean_dcr_members = 0, mean_dcr_non_members = 0;
};

// Throws Error when a batch is empty or the widths differ.
MembershipAudit distance_to_closest_record_audit(const Batch& members, const Batch& non_members,
                                                 const Batch& synthetic);

// P(positive score > negative score) + ½ P(equal) (Mann–Whitney), exact over all pairs
// via sorting; throws Error when either list is empty.
double roc_auc(const std::vector<double>& positive, const std::vector<double>& negative);

}  // namespace doppel
