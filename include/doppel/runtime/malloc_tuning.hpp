// glibc malloc settings for the training / generation processes.
#pragma once

namespace doppel {

// Keeps freed blocks up to 32 MiB in the heap for reuse instead of returning them to the
// kernel. A training step allocates and frees the same multi-megabyte tensors (LSTM
// buffers, activations, gradients) every step; with glibc's defaults many of them are
// fresh mmap()s or re-grown heap pages, page-faulted and zeroed by the kernel each time
// (~15% of a step of the speed benchmark). Costs at most the largest freed blocks in
// resident memory. Call once at program start (no-op without glibc).
void keep_freed_memory_for_reuse();

}  // namespace doppel
