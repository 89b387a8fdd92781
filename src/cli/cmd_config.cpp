#include <iostream>

#include "doppel/cli/args.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/config/config.hpp"

namespace doppel {

int cmd_config(int argc, char** argv) {
  Args args("doppel config", "Print the configuration reference (--doc) or a resolved config.");
  args.option("config", "TOML file to resolve (defaults only when absent)")
      .repeated("set", "override a key: section.key=value")
      .flag("doc", "print the Markdown reference of every key (docs/config.md)");
  if (!args.parse(argc, argv)) return 0;
  if (args.get_flag("doc")) {
    std::cout << config_reference_markdown();
    return 0;
  }
  Config c = args.has("config") ? Config::load(args.get("config"), args.all("set"))
                                : Config::defaults(args.all("set"));
  std::cout << c.to_toml();
  return 0;
}

}  // namespace doppel
