// Checkpoint naming and rotation. Names are zero-padded so that a directory listing
// sorts by step; parsing is exact (name(parse(x)) == x) so temporaries and stray
// files are never mistaken for checkpoints.
#include "doppel/logging/checkpoint_policy.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "doppel/error.hpp"

namespace doppel {

namespace fs = std::filesystem;

std::vector<int64_t> checkpoints_to_delete(const std::vector<int64_t>& existing, int64_t new_step,
                                           const CheckpointPolicy& policy) {
  if (policy.keep_last < 1)
    throw Error("checkpoint keep_last must be >= 1 (got " + std::to_string(policy.keep_last) +
                "): the checkpoint just written is always kept");
  if (policy.extra_every < 0)
    throw Error("checkpoint extra_every must be >= 0 (got " + std::to_string(policy.extra_every) + ")");

  std::set<int64_t> not_newer(existing.begin(), existing.end());
  not_newer.insert(new_step);
  not_newer.erase(not_newer.upper_bound(new_step), not_newer.end());

  std::vector<int64_t> doomed;
  int64_t rank_from_newest = static_cast<int64_t>(not_newer.size());  // 1 = new_step
  for (int64_t step : not_newer) {
    const bool recent = rank_from_newest-- <= policy.keep_last;
    const bool milestone = policy.extra_every > 0 && step % policy.extra_every == 0;
    if (!recent && !milestone) doomed.push_back(step);
  }
  return doomed;
}

std::string checkpoint_name(int64_t step) {
  if (step < 0) throw Error("checkpoint step must be >= 0, got " + std::to_string(step));
  char buf[40];
  std::snprintf(buf, sizeof buf, "ckpt-%08lld.pt", static_cast<long long>(step));
  return buf;
}

std::optional<int64_t> parse_checkpoint_name(const std::string& file_name) {
  const std::string prefix = "ckpt-", suffix = ".pt";
  if (file_name.size() < prefix.size() + 8 + suffix.size()) return std::nullopt;
  if (file_name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  if (file_name.compare(file_name.size() - suffix.size(), suffix.size(), suffix) != 0) return std::nullopt;
  const std::string digits = file_name.substr(prefix.size(), file_name.size() - prefix.size() - suffix.size());
  if (digits.size() > 18) return std::nullopt;  // beyond int64 range checks; no run gets there
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  const int64_t step = std::stoll(digits);
  if (checkpoint_name(step) != file_name) return std::nullopt;  // non-canonical padding
  return step;
}

std::vector<int64_t> list_checkpoints(const std::string& dir) {
  std::error_code ec;
  const bool present = fs::exists(dir, ec);
  if (ec) throw Error("cannot access checkpoint directory " + dir + ": " + ec.message());
  if (!present) return {};
  if (!fs::is_directory(dir, ec)) throw Error("checkpoint directory " + dir + " is not a directory");
  std::vector<int64_t> steps;
  fs::directory_iterator it(dir, ec), end;
  if (ec) throw Error("cannot list checkpoint directory " + dir + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw Error("cannot list checkpoint directory " + dir + ": " + ec.message());
    if (!it->is_regular_file(ec)) continue;
    if (auto step = parse_checkpoint_name(it->path().filename().string())) steps.push_back(*step);
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

std::string newest_checkpoint(const std::string& dir) {
  const auto steps = list_checkpoints(dir);
  if (steps.empty()) return "";
  return (fs::path(dir) / checkpoint_name(steps.back())).string();
}

}  // namespace doppel
