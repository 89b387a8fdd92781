// Subcommands of the `doppel` binary. Each takes the arguments after its name and
// returns the exit code; errors are thrown as doppel::Error and reported by main.
#pragma once

namespace doppel {

int cmd_prepare(int argc, char** argv);
int cmd_inspect(int argc, char** argv);
int cmd_export(int argc, char** argv);
int cmd_simulate(int argc, char** argv);
int cmd_config(int argc, char** argv);
int cmd_train(int argc, char** argv);
int cmd_generate(int argc, char** argv);
int cmd_evaluate(int argc, char** argv);
int cmd_baseline(int argc, char** argv);
int cmd_compare(int argc, char** argv);
int cmd_privacy(int argc, char** argv);
int cmd_sweep(int argc, char** argv);

}  // namespace doppel
