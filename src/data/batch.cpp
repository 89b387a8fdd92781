#include "doppel/data/dataset.hpp"
#include "doppel/error.hpp"

namespace doppel {

void append_batch(Batch& into, const Batch& more) {
  if (into.n == 0 && into.attributes.empty() && into.features.empty()) {
    into.L = more.L;
    into.A = more.A;
    into.F = more.F;
  } else if (into.L != more.L || into.A != more.A || into.F != more.F) {
    throw Error("append_batch: batches of different shapes");
  }
  into.n += more.n;
  auto cat = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  cat(into.attributes, more.attributes);
  cat(into.features, more.features);
  cat(into.lengths, more.lengths);
  cat(into.split, more.split);
  cat(into.start_time, more.start_time);
  cat(into.index, more.index);
}

}  // namespace doppel
