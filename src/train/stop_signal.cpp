#include "doppel/train/stop_signal.hpp"

#include <csignal>

namespace doppel {

namespace {
volatile std::sig_atomic_t g_signal = 0;

extern "C" void record_stop_signal(int sig) {
  // A second Ctrl-C means "now": die of SIGINT at once (exit 130 in the shell), without the
  // checkpoint the first one asked for. Only async-signal-safe calls here.
  if (sig == SIGINT && g_signal != 0) {
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
    return;
  }
  g_signal = sig;
}
}  // namespace

void install_stop_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = record_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // blocking calls (MPI, file I/O) continue; the loop checks the flag
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

int pending_stop_signal() { return int(g_signal); }
void clear_stop_signal() { g_signal = 0; }

}  // namespace doppel
