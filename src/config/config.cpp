#include "doppel/config/config.hpp"

#include <map>
#include <sstream>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "doppel/config/atomic_file.hpp"
#include "doppel/error.hpp"

namespace doppel {

namespace {

const char* type_name(KeyType t) {
  switch (t) {
    case KeyType::Integer: return "integer";
    case KeyType::Float: return "number";
    case KeyType::String: return "string";
    case KeyType::Boolean: return "boolean";
    case KeyType::FloatList: return "array of numbers";
    case KeyType::StringList: return "array of strings";
  }
  return "?";
}

std::string with_article(KeyType t) {
  std::string n = type_name(t);
  return (n[0] == 'a' || n[0] == 'i' ? "an " : "a ") + n;
}

const std::map<std::string, const KeySpec*>& spec_index() {
  static const auto index = [] {
    std::map<std::string, const KeySpec*> m;
    for (const auto& s : all_key_specs()) m[s.key] = &s;
    return m;
  }();
  return index;
}

// "columns[3].name" -> "columns[].name"
std::string generic_key(const std::string& key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '[') {
      out += "[]";
      while (i < key.size() && key[i] != ']') ++i;
    } else {
      out += key[i];
    }
  }
  return out;
}

bool is_section(const std::string& generic) {
  for (const auto& s : all_key_specs())
    if (s.key.rfind(generic + ".", 0) == 0 || s.key.rfind(generic + "[].", 0) == 0) return true;
  return false;
}

bool type_ok(const toml::node& n, KeyType t) {
  switch (t) {
    case KeyType::Integer: return n.is_integer();
    case KeyType::Float: return n.is_integer() || n.is_floating_point();
    case KeyType::String: return n.is_string();
    case KeyType::Boolean: return n.is_boolean();
    case KeyType::FloatList: {
      auto* a = n.as_array();
      if (!a) return false;
      for (const auto& e : *a)
        if (!e.is_integer() && !e.is_floating_point()) return false;
      return true;
    }
    case KeyType::StringList: {
      auto* a = n.as_array();
      if (!a) return false;
      for (const auto& e : *a)
        if (!e.is_string()) return false;
      return true;
    }
  }
  return false;
}

void validate_table(const toml::table& t, const std::string& prefix, const std::string& origin) {
  for (const auto& [k, node] : t) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    std::string generic = generic_key(key);
    auto it = spec_index().find(generic);
    if (it != spec_index().end()) {
      if (!type_ok(node, it->second->type))
        throw Error(origin + ": key '" + key + "' must be " + with_article(it->second->type));
      continue;
    }
    if (auto* sub = node.as_table()) {
      if (!is_section(generic)) throw Error(origin + ": unknown section '" + key + "'");
      validate_table(*sub, key, origin);
    } else if (auto* arr = node.as_array(); arr && arr->is_array_of_tables() && is_section(generic)) {
      for (size_t i = 0; i < arr->size(); ++i)
        validate_table(*arr->get(i)->as_table(), key + "[" + std::to_string(i) + "]", origin);
    } else {
      throw Error(origin + ": unknown key '" + key + "' (see docs/config.md)");
    }
  }
}

toml::table parse_literal(const std::string& value) {
  return toml::parse(std::string_view("v = " + value), std::string_view("override"));
}

// Inserts `value` at dotted `key` (with optional [i] segments), creating tables.
void insert_at(toml::table& root, const std::string& key, toml::node&& value) {
  toml::table* t = &root;
  std::string rest = key;
  while (true) {
    auto dot = rest.find('.');
    std::string seg = rest.substr(0, dot);
    auto br = seg.find('[');
    if (dot == std::string::npos && br == std::string::npos) {
      t->insert_or_assign(seg, std::move(value));
      return;
    }
    if (br != std::string::npos) {
      std::string name = seg.substr(0, br);
      size_t idx = std::stoul(seg.substr(br + 1));
      auto* arr = (*t)[name].as_array();
      if (!arr || idx >= arr->size() || !arr->get(idx)->is_table())
        throw Error("--set " + key + ": no element " + std::to_string(idx) + " in '" + name + "'");
      t = arr->get(idx)->as_table();
    } else {
      if (!(*t)[seg].is_table()) t->insert_or_assign(seg, toml::table{});
      t = (*t)[seg].as_table();
    }
    rest = rest.substr(dot + 1);
  }
}

void apply_override(toml::table& root, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error("--set expects section.key=value, got '" + assignment + "'");
  std::string key = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  auto it = spec_index().find(generic_key(key));
  if (it == spec_index().end()) throw Error("--set: unknown key '" + key + "' (see docs/config.md)");
  toml::table parsed;
  bool literal = true;
  try {
    parsed = parse_literal(value);
  } catch (const toml::parse_error&) {
    literal = false;
  }
  // A bare word is a string for string keys; for other types it must parse.
  if (!literal || (it->second->type == KeyType::String && !parsed["v"].is_string())) {
    parsed = toml::table{};
    parsed.insert("v", value);
  }
  toml::node* n = parsed.get("v");
  if (!type_ok(*n, it->second->type))
    throw Error("--set " + key + ": expected " + with_article(it->second->type) +
                ", got '" + value + "'");
  insert_at(root, key, std::move(*n));
}

void fill_defaults(toml::table& root) {
  for (const auto& s : all_key_specs()) {
    if (s.def.empty()) continue;
    auto lb = s.key.find("[]");
    if (lb == std::string::npos) {
      if (!root.at_path(s.key)) {
        auto parsed = parse_literal(s.def);
        insert_at(root, s.key, std::move(*parsed.get("v")));
      }
      continue;
    }
    std::string array_key = s.key.substr(0, lb), leaf = s.key.substr(lb + 3);
    auto* arr = root.at_path(array_key).as_array();
    if (!arr) continue;
    for (auto& e : *arr) {
      auto* t = e.as_table();
      if (t && !t->contains(leaf)) {
        auto parsed = parse_literal(s.def);
        t->insert(leaf, std::move(*parsed.get("v")));
      }
    }
  }
}

}  // namespace

struct Config::Impl {
  toml::table table;
  std::string origin = "<defaults>";
};

Config::Config() : impl_(std::make_unique<Impl>()) {}
Config::~Config() = default;
Config::Config(const Config& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
Config& Config::operator=(const Config& o) {
  *impl_ = *o.impl_;
  return *this;
}

Config Config::parse(const std::string& text, const std::string& origin,
                     const std::vector<std::string>& overrides) {
  Config c;
  c.impl_->origin = origin;
  try {
    c.impl_->table = toml::parse(std::string_view(text), std::string_view(origin));
  } catch (const toml::parse_error& e) {
    std::ostringstream o;
    o << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
      << e.description();
    throw Error(o.str());
  }
  validate_table(c.impl_->table, "", origin);
  for (const auto& ov : overrides) apply_override(c.impl_->table, ov);
  fill_defaults(c.impl_->table);
  return c;
}

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  return parse(read_file(path), path, overrides);
}

Config Config::defaults(const std::vector<std::string>& overrides) {
  return parse("", "<defaults>", overrides);
}

void Config::set(const std::string& assignment) {
  apply_override(impl_->table, assignment);
  fill_defaults(impl_->table);
}

namespace {
const toml::node& need(const toml::table& t, const std::string& key, const std::string& origin) {
  auto v = t.at_path(key);
  if (!v) throw Error(origin + ": missing key '" + key + "'");
  return *v.node();
}
}  // namespace

bool Config::has(const std::string& key) const { return bool(impl_->table.at_path(key)); }

long long Config::integer(const std::string& key) const {
  const auto& n = need(impl_->table, key, impl_->origin);
  if (!n.is_integer()) throw Error(impl_->origin + ": key '" + key + "' must be an integer");
  return n.as_integer()->get();
}

double Config::number(const std::string& key) const {
  const auto& n = need(impl_->table, key, impl_->origin);
  if (n.is_integer()) return double(n.as_integer()->get());
  if (!n.is_floating_point()) throw Error(impl_->origin + ": key '" + key + "' must be a number");
  return n.as_floating_point()->get();
}

std::string Config::string(const std::string& key) const {
  const auto& n = need(impl_->table, key, impl_->origin);
  if (!n.is_string()) throw Error(impl_->origin + ": key '" + key + "' must be a string");
  return n.as_string()->get();
}

bool Config::boolean(const std::string& key) const {
  const auto& n = need(impl_->table, key, impl_->origin);
  if (!n.is_boolean()) throw Error(impl_->origin + ": key '" + key + "' must be a boolean");
  return n.as_boolean()->get();
}

std::vector<double> Config::numbers(const std::string& key) const {
  const auto& n = need(impl_->table, key, impl_->origin);
  if (!type_ok(n, KeyType::FloatList))
    throw Error(impl_->origin + ": key '" + key + "' must be an array of numbers");
  std::vector<double> out;
  for (const auto& e : *n.as_array())
    out.push_back(e.is_integer() ? double(e.as_integer()->get()) : e.as_floating_point()->get());
  return out;
}

std::vector<std::string> Config::strings(const std::string& key) const {
  const auto& n = need(impl_->table, key, impl_->origin);
  if (!type_ok(n, KeyType::StringList))
    throw Error(impl_->origin + ": key '" + key + "' must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : *n.as_array()) out.push_back(e.as_string()->get());
  return out;
}

size_t Config::count(const std::string& array_key) const {
  auto v = impl_->table.at_path(array_key);
  if (!v) return 0;
  auto* a = v.as_array();
  return a ? a->size() : 0;
}

std::string Config::value_text(const std::string& key) const {
  auto v = impl_->table.at_path(key);
  if (!v) return "(unset)";
  std::ostringstream o;
  o << v;
  return o.str();
}

std::vector<std::string> differing_keys(const Config& before, const Config& after, const std::string& section) {
  std::vector<std::string> out;
  for (const auto& spec : all_key_specs()) {
    if (spec.key.compare(0, section.size() + 1, section + ".") != 0) continue;
    const std::string a = before.value_text(spec.key), b = after.value_text(spec.key);
    if (a != b) out.push_back(spec.key + " " + a + " → " + b);
  }
  return out;
}

std::string Config::to_toml() const {
  std::ostringstream o;
  o << "# resolved doppel configuration (defaults filled in)\n" << impl_->table << "\n";
  return o.str();
}

void Config::save(const std::string& path) const { write_file_atomic(path, to_toml()); }

const std::string& Config::origin() const { return impl_->origin; }

const std::vector<KeySpec>& all_key_specs() {
  static const std::vector<KeySpec> all = [] {
    std::vector<KeySpec> v;
    for (auto part : {data_key_specs(), model_key_specs(), train_key_specs(), privacy_key_specs(),
                      eval_key_specs(), dist_key_specs()})
      v.insert(v.end(), part.begin(), part.end());
    return v;
  }();
  return all;
}

std::string config_reference_markdown() {
  std::ostringstream o;
  o << "# Configuration reference\n\n"
       "Generated by `doppel config --doc` from the key registry in `src/config/`; a test\n"
       "checks that this file matches it. Runs are TOML files; unknown keys and wrong types\n"
       "are errors naming the key; any key can be overridden with `--set section.key=value`\n"
       "(the value is read as a TOML literal, or as a string for string keys). Elements of\n"
       "`[[columns]]` are addressed as `columns[i].key`.\n";
  std::string section;
  for (const auto& s : all_key_specs()) {
    std::string sec = s.key.substr(0, s.key.find('.'));
    if (sec != section) {
      section = sec;
      o << "\n## `" << sec << "`\n\n| key | type | default | meaning |\n|---|---|---|---|\n";
    }
    std::string doc = s.doc;
    for (auto& ch : doc)
      if (ch == '|') ch = '/';
    o << "| `" << s.key << "` | " << type_name(s.type) << " | "
      << (s.def.empty() ? "(unset)" : "`" + s.def + "`") << " | " << doc << " |\n";
  }
  return o.str();
}

}  // namespace doppel
