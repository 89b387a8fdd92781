#pragma once

namespace doppel {

// `doppel baseline lstm`: the autoregressive LSTM baseline (src/cli/cmd_baseline_lstm_torch.cpp).
int cmd_baseline_lstm(int argc, char** argv);

}  // namespace doppel
