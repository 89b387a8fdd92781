// Precompiled header for doppel_torch: the LibTorch headers its files use.
#pragma once
#include <torch/torch.h>
