#include "doppel/train/generate.hpp"

#include <cstdlib>
#include <iomanip>
#include <sstream>

#include "doppel/train/checkpoint_archive.hpp"

#include "doppel/data/csv_reader.hpp"
#include "doppel/error.hpp"
#include "doppel/model/example_random.hpp"
#include "doppel/model/model_space.hpp"

namespace doppel {

LoadedGenerator load_generator(const std::string& path) {
  torch::serialize::InputArchive a;
  load_checkpoint_archive(a, read_checkpoint_bytes(path), path);
  c10::IValue config_text, schema_json;
  a.read("config", config_text);
  a.read("schema", schema_json);
  LoadedGenerator m;
  m.config = Config::parse(config_text.toStringRef(), path + " (stored config)");
  m.schema = Schema::from_json(schema_json.toStringRef(), path + " (stored schema)");
  m.options = ModelOptions::from_config(m.config);
  m.layout = ModelLayout::from(m.schema, m.options);
  m.generator = Generator(m.layout, m.options);
  // The moving average of the weights when the run kept one (train.g_ema_decay > 0).
  torch::serialize::InputArchive g;
  m.moving_average = a.try_read("generator_ema", g);
  if (!m.moving_average) a.read("generator", g);
  try {
    m.generator->load(g);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw Error(path + ": the stored generator weights do not fit the networks its stored config describes (" +
                what.substr(0, what.find('\n')) + "); was the checkpoint written by another version of doppel?");
  }
  m.generator->eval();
  torch::Tensor step;
  a.read("step", step);
  m.step = step.item<int64_t>();
  c10::IValue privacy;
  if (a.try_read("privacy_summary", privacy)) m.privacy = privacy.toStringRef();
  return m;
}

void generate_sequences(LoadedGenerator& m, int64_t n, int64_t batch, uint64_t seed, const std::vector<float>* given,
                        const std::function<void(const Batch&)>& sink) {
  if (n < 1 || batch < 1)
    throw Error("generate: need n >= 1 and batch >= 1 (got n " + std::to_string(n) + ", batch " +
                std::to_string(batch) + ")");
  if (given && int64_t(given->size()) != n * m.layout.A)
    throw Error("generate: " + std::to_string(given->size()) + " given attribute values, expected " +
                std::to_string(n) + " × " + std::to_string(m.layout.A));
  torch::NoGradGuard no_grad;
  auto gen = make_cpu_generator(seed);
  for (int64_t begin = 0; begin < n; begin += batch) {
    const int64_t b = std::min(batch, n - begin);
    auto noise = draw_generator_noise(gen, m.layout, m.options, b, 0, b);
    torch::Tensor cond;
    if (given)
      cond = torch::from_blob(const_cast<float*>(given->data()) + begin * m.layout.A, {b, m.layout.A}, torch::kFloat)
                 .clone();
    auto out = m.generator->forward(noise, cond);
    Batch encoded = from_model_space(out.attributes, out.features, m.layout);
    for (int64_t i = 0; i < b; ++i) encoded.index[i] = begin + i;
    sink(encoded);
  }
}

namespace {
// The range a number column can encode without clamping (its min/max, or its outer bin edges).
std::pair<double, double> encodable_range(const ColumnSchema& c) {
  if (c.encoding == Encoding::Binned) return {c.edges.front(), c.edges.back()};
  return {c.min, c.max};
}

std::string format_number(double v) {
  std::ostringstream o;
  o << std::setprecision(10) << v;
  return o.str();
}

// Epoch seconds as earlier versions read them ("1349168400", "1.3e9"), as opposed to a timestamp.
bool is_number(const std::string& s) {
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}
}  // namespace

std::vector<float> read_given_attributes(const std::string& csv_path, const Schema& schema, int64_t* rows,
                                         bool strict, std::vector<std::string>* clamped) {
  CsvReader csv(csv_path);
  std::vector<int> cols;
  for (const auto& a : schema.attributes) cols.push_back(csv.column(a.name));
  const size_t A = schema.attribute_width();
  // `doppel export` writes the start time as a timestamp in this format.
  const std::string time_format = schema.time_format.empty() ? "%Y-%m-%d %H:%M:%S" : schema.time_format;
  std::vector<int64_t> outside(schema.attributes.size(), 0);
  std::vector<float> out;
  int64_t n = 0;
  while (csv.next()) {
    out.resize(out.size() + A);
    float* row = out.data() + n * A;
    for (size_t k = 0; k < schema.attributes.size(); ++k) {
      const auto& col = schema.attributes[k];
      float* dst = row + schema.attribute_offset(k);
      if (col.encoding == Encoding::Categorical) {
        col.encode_category(csv.field(cols[k]), dst, csv.where(cols[k]));
      } else {
        bool missing = false;
        double v = 0;
        const std::string& text = csv.field(cols[k]);
        if (col.source == "@start_time" && !text.empty() && !is_number(text)) {
          v = double(parse_time(text, time_format, csv.where(cols[k])));
        } else {
          v = csv.number(cols[k], &missing);
          if (missing) throw Error(csv.where(cols[k]) + ": missing value for a given attribute");
        }
        const auto [lo, hi] = encodable_range(col);
        if (v < lo || v > hi) {
          if (strict)
            throw Error(csv.where(cols[k]) + ": " + text + " is outside the range [" + format_number(lo) + ", " +
                        format_number(hi) + "] the model was trained on (--strict)");
          ++outside[k];
        }
        col.encode_number(v, dst);
      }
    }
    ++n;
  }
  if (n == 0) throw Error(csv_path + ": no rows of given attributes");
  for (size_t k = 0; clamped && k < outside.size(); ++k) {
    if (outside[k] == 0) continue;
    const auto [lo, hi] = encodable_range(schema.attributes[k]);
    clamped->push_back(schema.attributes[k].name + ": " + std::to_string(outside[k]) + " value" +
                       (outside[k] == 1 ? "" : "s") + " outside [" + format_number(lo) + ", " + format_number(hi) +
                       "]");
  }
  if (rows) *rows = n;
  return out;
}

}  // namespace doppel
