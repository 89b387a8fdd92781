// A small command-line parser: named options (--name VALUE), flags (--name),
// repeatable options (--set k=v) and positionals, with generated --help text.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace doppel {

class Args {
 public:
  Args(std::string program, std::string summary);

  Args& option(const std::string& name, const std::string& help, const std::string& def = "",
               bool required = false);
  Args& flag(const std::string& name, const std::string& help);
  Args& repeated(const std::string& name, const std::string& help);
  Args& positional(const std::string& name, const std::string& help, bool required = true);

  // Returns false when --help was asked for (help already printed): the caller returns 0.
  // Throws UsageError on unknown options or missing values.
  bool parse(int argc, char** argv);

  std::string help() const;
  bool has(const std::string& name) const;  // given on the command line (or has a default)
  std::string get(const std::string& name) const;
  long long get_int(const std::string& name) const;
  double get_double(const std::string& name) const;
  bool get_flag(const std::string& name) const;
  const std::vector<std::string>& all(const std::string& name) const;
  // Throws UsageError when the file named by option `output` is the same file (symlinks, "./"
  // and hard links resolved) as one named by any option in `inputs`: writing it would destroy
  // the command's own input.
  void refuse_output_over_inputs(const std::string& output, const std::vector<std::string>& inputs) const;

 private:
  struct Spec {
    std::string name, help, def;
    enum Kind { Option, Flag, Repeated, Positional } kind;
    bool required;
  };
  const Spec* find(const std::string& name) const;
  std::string program_, summary_;
  std::vector<Spec> specs_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> lists_;
};

}  // namespace doppel
