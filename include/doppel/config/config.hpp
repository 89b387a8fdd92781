// Run configuration: a TOML file checked against a registry of documented keys.
// Unknown keys and wrong types are errors naming the key; every key has a default
// and a doc string; `--set section.key=value` overrides any key; the resolved
// config (defaults filled in) is what gets saved beside every output.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace doppel {

enum class KeyType { Integer, Float, String, Boolean, FloatList, StringList };

// One documented key. `key` is "section.name"; keys of array-of-table elements
// are written "columns[].name". `def` is a TOML literal ("" = no default: the key
// is optional and absent unless set).
struct KeySpec {
  std::string key;
  KeyType type;
  std::string def;
  std::string doc;
};

// The registry, split by area (config_keys_<area>.cpp): data, model, train,
// privacy, eval, dist.
const std::vector<KeySpec>& all_key_specs();
std::vector<KeySpec> data_key_specs();
std::vector<KeySpec> model_key_specs();
std::vector<KeySpec> train_key_specs();
std::vector<KeySpec> privacy_key_specs();
std::vector<KeySpec> eval_key_specs();
std::vector<KeySpec> dist_key_specs();

// Markdown reference of every key (docs/config.md is this text).
std::string config_reference_markdown();

class Config;
// The registered keys of `section` ("model") whose values differ between `before` and `after`,
// each as "model.lstm_units 16 → 32", in registry order.
std::vector<std::string> differing_keys(const Config& before, const Config& after, const std::string& section);

class Config {
 public:
  Config();
  ~Config();
  Config(const Config&);
  Config& operator=(const Config&);

  // Parses `path`, applies overrides ("section.key=value", value as a TOML literal,
  // else a bare string), fills defaults, validates. Throws Error naming file and key.
  static Config load(const std::string& path, const std::vector<std::string>& overrides = {});
  static Config parse(const std::string& toml_text, const std::string& origin,
                      const std::vector<std::string>& overrides = {});
  // Defaults only (plus overrides).
  static Config defaults(const std::vector<std::string>& overrides = {});

  bool has(const std::string& key) const;
  long long integer(const std::string& key) const;
  double number(const std::string& key) const;  // integer or float
  std::string string(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::vector<double> numbers(const std::string& key) const;
  std::vector<std::string> strings(const std::string& key) const;

  // Array of tables, e.g. "columns": number of elements, and keys inside element i
  // addressed as "columns[i].name" through the same getters.
  size_t count(const std::string& array_key) const;
  // The value of `key` as TOML text ("16", "\"softmax\"", "true"); "(unset)" when absent.
  std::string value_text(const std::string& key) const;

  void set(const std::string& assignment);  // "section.key=value", validated
  std::string to_toml() const;
  void save(const std::string& path) const;  // atomic
  const std::string& origin() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace doppel
