#include "doppel/cli/args.hpp"

#include <iostream>
#include <sstream>

#include "doppel/error.hpp"
#include "doppel/config/output_guard.hpp"

namespace doppel {

Args::Args(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

Args& Args::option(const std::string& name, const std::string& help, const std::string& def,
                   bool required) {
  specs_.push_back({name, help, def, Spec::Option, required});
  return *this;
}
Args& Args::flag(const std::string& name, const std::string& help) {
  specs_.push_back({name, help, "", Spec::Flag, false});
  return *this;
}
Args& Args::repeated(const std::string& name, const std::string& help) {
  specs_.push_back({name, help, "", Spec::Repeated, false});
  return *this;
}
Args& Args::positional(const std::string& name, const std::string& help, bool required) {
  specs_.push_back({name, help, "", Spec::Positional, required});
  return *this;
}

const Args::Spec* Args::find(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

std::string Args::help() const {
  std::ostringstream o;
  o << "usage: " << program_;
  for (const auto& s : specs_)
    if (s.kind == Spec::Positional) o << (s.required ? " " : " [") << s.name << (s.required ? "" : "]");
  o << " [options]\n\n" << summary_ << "\n\n";
  for (const auto& s : specs_) {
    std::string left;
    switch (s.kind) {
      case Spec::Positional: left = s.name; break;
      case Spec::Flag: left = "--" + s.name; break;
      case Spec::Option: left = "--" + s.name + " VALUE"; break;
      case Spec::Repeated: left = "--" + s.name + " VALUE (repeatable)"; break;
    }
    o << "  " << left;
    if (left.size() < 28) o << std::string(28 - left.size(), ' ');
    else o << "\n  " << std::string(28, ' ');
    o << s.help;
    if (s.required && s.kind != Spec::Positional) o << " (required)";
    if (!s.def.empty()) o << " [default: " << s.def << "]";
    o << "\n";
  }
  o << "  --help" << std::string(22, ' ') << "show this help\n";
  return o.str();
}

bool Args::parse(int argc, char** argv) {
  size_t next_positional = 0;
  std::vector<const Spec*> positionals;
  for (const auto& s : specs_)
    if (s.kind == Spec::Positional) positionals.push_back(&s);
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << help();
      return false;
    }
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), value;
      bool inline_value = false;
      auto eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      const Spec* s = find(name);
      if (!s || s->kind == Spec::Positional)
        throw UsageError(program_ + ": unknown option --" + name + " (see --help)");
      if (s->kind == Spec::Flag) {
        if (inline_value) throw UsageError(program_ + ": --" + name + " takes no value");
        values_[name] = "1";
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= argc) throw UsageError(program_ + ": --" + name + " needs a value");
        value = argv[++i];
      }
      if (s->kind == Spec::Repeated) lists_[name].push_back(value);
      else values_[name] = value;
    } else {
      if (next_positional >= positionals.size())
        throw UsageError(program_ + ": unexpected argument '" + a + "' (see --help)");
      values_[positionals[next_positional++]->name] = a;
    }
  }
  for (const auto& s : specs_) {
    if (values_.count(s.name) || s.kind == Spec::Flag || s.kind == Spec::Repeated) continue;
    if (!s.def.empty()) values_[s.name] = s.def;
    else if (s.required)
      throw UsageError(program_ + ": missing " +
                       (s.kind == Spec::Positional ? s.name : "--" + s.name) + " (see --help)");
  }
  return true;
}

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }

std::string Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    if (!find(name)) throw std::logic_error("Args: undeclared option " + name);
    return "";
  }
  return it->second;
}

long long Args::get_int(const std::string& name) const {
  std::string v = get(name);
  try {
    size_t pos = 0;
    long long x = std::stoll(v, &pos);
    if (pos != v.size()) throw std::invalid_argument(v);
    return x;
  } catch (const std::exception&) {
    throw UsageError(program_ + ": --" + name + " expects an integer, got '" + v + "'");
  }
}

double Args::get_double(const std::string& name) const {
  std::string v = get(name);
  try {
    size_t pos = 0;
    double x = std::stod(v, &pos);
    if (pos != v.size()) throw std::invalid_argument(v);
    return x;
  } catch (const std::exception&) {
    throw UsageError(program_ + ": --" + name + " expects a number, got '" + v + "'");
  }
}

bool Args::get_flag(const std::string& name) const { return values_.count(name) > 0; }

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> empty;
  auto it = lists_.find(name);
  return it == lists_.end() ? empty : it->second;
}

void Args::refuse_output_over_inputs(const std::string& output, const std::vector<std::string>& inputs) const {
  auto label = [&](const std::string& name) {
    const Spec* s = find(name);
    return s && s->kind == Spec::Positional ? name : "--" + name;
  };
  std::vector<std::pair<std::string, std::string>> named;
  for (const auto& in : inputs) named.emplace_back(label(in), get(in));
  refuse_output_over_input(program_, label(output), get(output), named);
}

}  // namespace doppel
