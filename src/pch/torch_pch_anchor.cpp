// Keeps doppel_torch non-empty (and its precompiled header built) while few files use torch.
namespace doppel {
int torch_pch_anchor() { return 0; }
}  // namespace doppel
