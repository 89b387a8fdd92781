#include "doppel/runtime/malloc_tuning.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace doppel {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // blocks below this come from the heap (glibc max; no dynamic adjustment)
  mallopt(M_TRIM_THRESHOLD, 256 << 20);  // keep up to this much free memory at the heap top
#endif
}

}  // namespace doppel
