#include "doppel/train/stop_signal.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

// Each case runs in a child process: the handlers are process-wide, and the second Ctrl-C kills.
namespace {
// Exit status of a child that installs the handlers and raises `first`, then `second` (0: none);
// 10 + the recorded signal if it survives.
int child_status(int first, int second) {
  const pid_t pid = fork();
  if (pid == 0) {
    doppel::install_stop_signal_handlers();
    raise(first);  // delivered before raise() returns
    if (second) raise(second);
    _exit(10 + doppel::pending_stop_signal());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}
}  // namespace

TEST(StopSignal, SigintAsksForAStopLikeSigterm) {
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) {
    const int status = child_status(sig, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "signal " << sig << " killed the process";
    EXPECT_EQ(WEXITSTATUS(status), 10 + sig);
  }
}

TEST(StopSignal, ASecondSigintEndsTheProcessAtOnce) {
  for (int first : {SIGINT, SIGTERM}) {
    const int status = child_status(first, SIGINT);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << "after signal " << first;
  }
  const int status = child_status(SIGTERM, SIGTERM);  // a repeated SIGTERM still waits for the checkpoint
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 10 + SIGTERM);
}
