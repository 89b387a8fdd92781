// SIGTERM / SIGUSR1 (Slurm's warning before a time limit or preemption) and SIGINT (Ctrl-C) ask
// training to stop: the handler only records the signal (a second SIGINT ends the process at
// once, without a checkpoint); the training loop asks every step whether any
// rank got one (Communicator::any), and then all ranks write one checkpoint and exit together.
#pragma once

namespace doppel {

// Exit status of `doppel train` when it stopped early on a signal after writing a checkpoint
// (EX_TEMPFAIL: "try again" — rerun with --resume). Distinct from 0 so `train && generate`
// does not generate from a half-trained model.
constexpr int kExitStoppedBySignal = 75;

// Installs the handler for SIGTERM, SIGUSR1 and SIGINT (idempotent).
void install_stop_signal_handlers();
// The signal number received since start (or the last clear), 0 if none.
int pending_stop_signal();
void clear_stop_signal();

}  // namespace doppel
