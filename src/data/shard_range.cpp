#include <algorithm>
#include <string>

#include "doppel/data/dataset.hpp"
#include "doppel/error.hpp"

namespace doppel {

ShardRange shard_range(int64_t n, int rank, int world) {
  if (world < 1) throw Error("shard_range: world size must be at least 1, got " + std::to_string(world));
  if (rank < 0 || rank >= world)
    throw Error("shard_range: rank " + std::to_string(rank) + " is outside [0, " +
                std::to_string(world) + ")");
  if (n < 0) throw Error("shard_range: negative item count " + std::to_string(n));
  // The first n % world ranks take one extra item.
  int64_t base = n / world, extra = n % world, r = rank;
  int64_t begin = r * base + std::min(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

}  // namespace doppel
