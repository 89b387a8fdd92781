// doppel sweep: for each privacy budget of a sweep config, train (DP, or non-private for ∞),
// generate, evaluate and audit membership; then one table (CSV + Markdown) and one plot of
// fidelity against ε. Each run is this same binary invoked as `doppel train` / `doppel
// generate` (so a sweep run is exactly what a user would run by hand, with its own log),
// evaluation and the audit run in-process. See docs/privacy.md ("Budget sweeps").
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "doppel/cli/args.hpp"
#include "doppel/config/atomic_file.hpp"
#include "doppel/data/batch_source.hpp"
#include "doppel/logging/checkpoint_policy.hpp"
#include "doppel/cli/commands.hpp"
#include "doppel/config/config.hpp"
#include "doppel/error.hpp"
#include "doppel/config/file_output_stream.hpp"
#include "doppel/eval/evaluate_files.hpp"
#include "doppel/eval/plots.hpp"
#include "doppel/privacy/membership_audit.hpp"
#include "learned_metrics_hook.hpp"

namespace fs = std::filesystem;

namespace doppel {

namespace {

std::string self_path() {
  std::vector<char> buf(4096);
  ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) throw Error("sweep: cannot find this program's path (/proc/self/exe)");
  return std::string(buf.data(), size_t(n));
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void run_logged(const std::vector<std::string>& argv, const std::string& log) {
  std::string cmd;
  for (const auto& a : argv) cmd += quote(a) + " ";
  cmd += "> " + quote(log) + " 2>&1";
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::ifstream in(log);
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    throw Error("sweep: '" + argv[1] + "' failed (exit status " + std::to_string(rc) + "): " + last + " (full log: " +
                log + ")");
  }
}

std::string eps_label(double eps) {
  if (eps <= 0) return "inf";
  std::ostringstream o;
  o << eps;
  return o.str();
}

double json_number(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : NAN; }

std::string cell(double v, int precision = 4) {
  if (!std::isfinite(v)) return "";
  std::ostringstream o;
  o << std::setprecision(precision) << v;
  return o.str();
}

Batch read_first(const BatchSource& s, int64_t max) {
  std::vector<int64_t> idx(size_t(std::min<int64_t>(max, s.size())));
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = int64_t(i);
  return s.read_indices(idx);
}

struct Row {
  std::string label;
  double target = 0, spent = NAN, sigma = NAN;
  int64_t steps = 0;
  double similarity = NAN, autocorrelation = NAN, utility = NAN, mia = NAN, ac_ratio = NAN;
  std::string note;  // why a metric is missing (printed under the Markdown table)
};

void write_plot(const std::vector<Row>& rows, const std::string& out) {
  const std::string dat = (fs::path(out) / "sweep.dat").string(), gp = (fs::path(out) / "sweep.gp").string();
  {
    std::ofstream d(dat);
    d << "# epsilon similarity autocorrelation utility_ratio\n";
    for (auto& r : rows)
      if (r.target > 0)
        d << r.target << " " << (std::isfinite(r.similarity) ? cell(r.similarity, 8) : "NaN") << " "
          << (std::isfinite(r.autocorrelation) ? cell(r.autocorrelation, 8) : "NaN") << " "
          << (std::isfinite(r.utility) ? cell(r.utility, 8) : "NaN") << "\n";
  }
  std::ofstream g(gp);
  g << "set terminal " << eval::gnuplot_png_terminal() << " size 900,560\n"
    << "set output '" << (fs::path(out) / "sweep.png").string() << "'\n"
    << "set title 'Fidelity against the privacy budget (dashed: non-private)'\n"
    << "set xlabel 'epsilon (delta fixed)'\nset ylabel 'score'\nset logscale x\nset key outside right\n"
    << "set datafile missing 'NaN'\n";
  std::string extra;
  for (auto& r : rows)
    if (r.target <= 0) {
      auto line = [&](double v, const char* name, int color) {
        if (std::isfinite(v))
          extra += ", " + cell(v, 8) + " with lines dt 2 lc " + std::to_string(color) + " title '" + name + " (inf)'";
      };
      line(r.similarity, "similarity", 1);
      line(r.autocorrelation, "autocorrelation", 2);
      line(r.utility, "utility ratio", 3);
    }
  g << "plot '" << dat << "' using 1:2 with linespoints lc 1 title 'similarity', '' using 1:3 with linespoints lc 2 "
    << "title 'autocorrelation', '' using 1:4 with linespoints lc 3 title 'utility ratio'" << extra << "\n";
  g.close();
  const std::string cmd = "gnuplot " + quote(gp) + " > " + quote(gp + ".log") + " 2>&1";
  if (std::system(cmd.c_str()) != 0) throw Error("sweep: gnuplot failed on " + gp + " (see " + gp + ".log)");
}

// Trains the sweep's one non-private model on the public split into OUT/pretrain/run (or
// reuses it when its final checkpoint exists) and returns that checkpoint. Budgets of one
// sweep may run as concurrent `--only` jobs: the first to take the lock pretrains, the others
// wait and reuse its checkpoint.
std::string public_pretraining(const std::string& self, const std::string& base_path, const std::string& data,
                               const std::string& out, int64_t steps, const std::vector<std::string>& threads) {
  const std::string pre = (fs::path(out) / "pretrain").string();
  const std::string ckpt = (fs::path(pre) / "run" / checkpoint_name(steps)).string();
  const std::string lock_path = (fs::path(out) / "pretrain.lock").string();
  const int lock_fd = ::open(lock_path.c_str(), O_CREAT | O_RDWR, 0644);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX) != 0)
    throw Error(lock_path + ": cannot lock the public pretraining (" + std::strerror(errno) + ")");
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock_fd};
  if (fs::exists(ckpt)) {
    std::cout << "sweep: public pretraining: reusing " << ckpt << std::endl;
    return ckpt;
  }
  fs::remove_all(pre);
  fs::create_directories(pre);
  std::vector<std::string> train{self, "train", "--config", base_path, "--out", pre + "/run", "--set",
                                 "train.data=" + data, "--set", "train.split=public", "--set",
                                 "privacy.enabled=false", "--set", "train.vis_freq=0", "--set",
                                 "train.max_steps=" + std::to_string(steps)};
  train.insert(train.end(), threads.begin(), threads.end());
  std::cout << "sweep: public pretraining, " << steps << " steps -> " << pre << "/run" << std::endl;
  run_logged(train, pre + "/train.log");
  if (!fs::exists(ckpt)) throw Error("sweep: public pretraining finished without " + ckpt);
  return ckpt;
}

}  // namespace

int cmd_sweep(int argc, char** argv) {
  Args args("doppel sweep",
            "Privacy-budget sweep: for every epsilon of sweep.epsilons (<= 0 = non-private),\n"
            "train with the base config, generate, evaluate and run a membership-inference\n"
            "audit; writes OUT/sweep.csv, OUT/sweep.md and OUT/sweep.png. See docs/privacy.md.");
  args.option("config", "sweep TOML (section [sweep])", "", true)
      .repeated("set", "override a key of the sweep config: section.key=value")
      .option("only", "run only this epsilon of the list (e.g. for a Slurm job array); no table");
  if (!args.parse(argc, argv)) return 0;
  Config sweep = Config::load(args.get("config"), args.all("set"));
  const std::string base_path = sweep.string("sweep.base_config");
  if (base_path.empty()) throw Error(sweep.origin() + ": sweep.base_config is empty: name the training config");
  Config base = Config::load(base_path, {});
  std::string data = sweep.string("sweep.data");
  if (data.empty()) data = base.string("train.data");
  if (data.empty()) throw Error(sweep.origin() + ": sweep.data and the base config's train.data are both empty");
  std::vector<double> epsilons = sweep.numbers("sweep.epsilons");
  if (epsilons.empty()) throw Error(sweep.origin() + ": sweep.epsilons is empty");
  if (args.has("only") && !args.get("only").empty()) {
    const double only = args.get_double("only");
    auto it = std::find_if(epsilons.begin(), epsilons.end(), [&](double e) { return e == only || (e <= 0 && only <= 0); });
    if (it == epsilons.end()) throw UsageError("--only " + args.get("only") + " is not in sweep.epsilons");
    epsilons = {*it};
  }
  const std::string out = sweep.string("sweep.out_dir");
  const int64_t steps = sweep.integer("sweep.steps"), n_gen = sweep.integer("sweep.generate");
  const int64_t mia_records = sweep.integer("sweep.mia_records");
  if (n_gen < 1) throw Error(sweep.origin() + ": sweep.generate must be >= 1");
  fs::create_directories(out);
  const std::string self = self_path();

  std::vector<std::string> threads;  // --threads of every training run, when the sweep sets it
  if (sweep.integer("sweep.threads") > 0) threads = {"--threads", std::to_string(sweep.integer("sweep.threads"))};
  // Initialisation of every budget's training: random, a given checkpoint, or a model
  // pretrained here on the public split (no privacy spent: that split is public by declaration).
  const int64_t pretrain_steps = sweep.integer("sweep.pretrain_steps");
  std::string init_from = sweep.string("sweep.init_from");
  if (pretrain_steps < 0) throw Error(sweep.origin() + ": sweep.pretrain_steps must be >= 0");
  if (pretrain_steps > 0 && !init_from.empty())
    throw Error(sweep.origin() + ": set sweep.pretrain_steps or sweep.init_from, not both");
  if (!init_from.empty() && !fs::exists(init_from))
    throw Error(sweep.origin() + ": sweep.init_from: no such checkpoint: " + init_from);
  std::string init_note = init_from.empty() ? "random weights" : "checkpoint `" + init_from + "`";
  if (pretrain_steps > 0) {
    if (FileSource(data, 2).size() == 0)
      throw Error(sweep.origin() + ": sweep.pretrain_steps needs a public split in " + data +
                  " (prepare it with data.public_fraction > 0)");
    init_from = public_pretraining(self, base_path, data, out, pretrain_steps, threads);
    init_note = "pretrained for " + std::to_string(pretrain_steps) + " non-private steps on the public split (`" +
                init_from + "`, no privacy spent)";
  }
  const std::vector<std::string> extra_sets = sweep.strings("sweep.set");

  auto options = eval::EvaluateOptions::from_config(base);
  attach_learned_metrics(options, base);
  FileSource members_src(data, 0), non_members_src(data, 1);

  std::vector<Row> rows;
  for (double eps : epsilons) {
    Row r;
    r.target = eps;
    r.label = eps_label(eps);
    const std::string run = (fs::path(out) / ("eps_" + r.label)).string();
    fs::create_directories(run);
    // Every budget trains from scratch: a run left by an earlier sweep into this directory is replaced.
    std::vector<std::string> train{self, "train", "--config", base_path, "--out", run + "/run", "--overwrite",
                                   "--set", "train.data=" + data, "--set", "train.vis_freq=0"};
    if (steps > 0) train.insert(train.end(), {"--set", "train.max_steps=" + std::to_string(steps)});
    // Private training cannot take extra attribute-critic rounds (each would be another
    // accounted query); every budget, 0 included, trains without them so that the runs
    // differ in privacy only.
    train.insert(train.end(), {"--set", "train.attr_d_extra_rounds=0"});
    if (eps > 0) {
      train.insert(train.end(), {"--set", "privacy.enabled=true", "--set", "privacy.target_epsilon=" + r.label});
    } else {
      train.insert(train.end(), {"--set", "privacy.enabled=false"});
    }
    train.insert(train.end(), threads.begin(), threads.end());
    for (const auto& kv : extra_sets) train.insert(train.end(), {"--set", kv});
    if (!init_from.empty()) train.insert(train.end(), {"--init-from", init_from});
    std::cout << "sweep: epsilon " << r.label << ": training -> " << run << "/run" << std::endl;
    run_logged(train, run + "/train.log");
    const std::string syn = run + "/synthetic.h5";
    run_logged({self, "generate", "--run", run + "/run", "--n", std::to_string(n_gen), "--out", syn, "--seed", "1"},
               run + "/generate.log");
    std::cout << "sweep: epsilon " << r.label << ": evaluating" << std::endl;
    nlohmann::json m;
    try {
      m = eval::evaluate_files(data, syn, run + "/eval", options, /*plots=*/false);
    } catch (const Error& e) {
      // A learned metric can refuse a degenerate synthetic set (e.g. every sequence shorter
      // than the forecaster's window at a tiny budget). That is a result to report, not a
      // reason to lose the other budgets: evaluate again without the learned metrics, and say
      // why in the log, metrics.json ("utility": {"skipped": ...}) and sweep.md.
      if (!options.learned) throw;
      r.note = std::string("learned metrics failed: ") + e.what();
      std::cout << "sweep: epsilon " << r.label << ": " << r.note << "; evaluating without them" << std::endl;
      auto fallback = options;
      fallback.learned = nullptr;
      fallback.learned_skip_reason = r.note;
      m = eval::evaluate_files(data, syn, run + "/eval", fallback, /*plots=*/false);
    }
    r.similarity = json_number(m["similarity"]["score"]);
    r.autocorrelation = json_number(m["autocorrelation"].value("score", nlohmann::json(nullptr)));
    if (m.contains("utility")) r.utility = json_number(m["utility"].value("ratio", nlohmann::json(nullptr)));
    if (eps > 0) {
      std::ifstream pj(run + "/run/privacy.json");
      if (!pj) throw Error(run + "/run/privacy.json: missing after a private training run");
      auto p = nlohmann::json::parse(pj);
      r.spent = p.at("epsilon").get<double>();
      r.sigma = p.at("noise_multiplier").get<double>();
      r.steps = p.at("accounted_steps").get<int64_t>();
    } else {
      r.spent = INFINITY;
      r.steps = 0;
    }
    const int64_t k = std::min({mia_records, members_src.size(), non_members_src.size()});
    if (k > 0) {
      FileSource syn_src(syn, -1);
      auto audit = distance_to_closest_record_audit(read_first(members_src, k), read_first(non_members_src, k),
                                                    read_first(syn_src, std::max<int64_t>(mia_records * 4, 1)));
      r.mia = audit.auc;
      write_file_atomic(run + "/membership_audit.json",
          nlohmann::json{{"attack", "distance to closest synthetic record"}, {"auc", audit.auc},
                            {"members", audit.members}, {"non_members", audit.non_members},
                            {"synthetic", audit.synthetic}, {"mean_dcr_members", audit.mean_dcr_members},
                            {"mean_dcr_non_members", audit.mean_dcr_non_members}}
                 .dump(2) + "\n");
    }
    std::cout << "sweep: epsilon " << r.label << ": similarity " << cell(r.similarity) << ", autocorrelation "
              << cell(r.autocorrelation) << ", MIA AUC " << cell(r.mia) << std::endl;
    rows.push_back(r);
  }
  if (args.has("only") && !args.get("only").empty()) return 0;

  const bool any_private = std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.target > 0; });
  double ac_inf = NAN;
  for (auto& r : rows)
    if (r.target <= 0) ac_inf = r.autocorrelation;
  for (auto& r : rows) r.ac_ratio = r.autocorrelation / ac_inf;

  const std::string header[] = {"epsilon", "epsilon_spent", "delta", "sigma", "accounted_steps", "similarity",
                                "autocorrelation", "autocorrelation_vs_nonprivate", "utility_ratio", "mia_auc"};
  auto values = [&](const Row& r) {
    return std::vector<std::string>{r.label,
                                    r.target > 0 ? cell(r.spent, 6) : "inf",
                                    r.target > 0 ? cell(base.number("privacy.delta")) : "",
                                    cell(r.sigma, 6),
                                    std::to_string(r.steps),
                                    cell(r.similarity),
                                    cell(r.autocorrelation),
                                    cell(r.ac_ratio),
                                    cell(r.utility),
                                    cell(r.mia)};
  };
  {
    AtomicFile csv((fs::path(out) / "sweep.csv").string());
    FileOutputStream o(csv.temp_path());
    for (size_t i = 0; i < std::size(header); ++i) o << (i ? "," : "") << header[i];
    o << "\n";
    for (auto& r : rows) {
      auto v = values(r);
      for (size_t i = 0; i < v.size(); ++i) o << (i ? "," : "") << v[i];
      o << "\n";
    }
    o.close(csv.path());
    csv.commit();
  }
  {
    AtomicFile md((fs::path(out) / "sweep.md").string());
    FileOutputStream o(md.temp_path());
    o << "# Privacy-budget sweep\n\nData: `" << data << "`; base config: `" << base_path
      << "`. epsilon = inf is the non-private model. MIA AUC: distance-to-closest-record attack on "
         "held-in (training) vs held-out (test) real sequences; 0.5 = no membership signal. utility_ratio: "
         "forecast error at the next step when trained on synthetic / on real data, tested on the real test "
         "split (1 = as useful as real data, lower is better; docs/metrics.md).\n\n"
      << "Initialisation of every budget: " << init_note << ".";
    if (!extra_sets.empty()) {
      o << " Overrides of every budget's training:";
      for (const auto& kv : extra_sets) o << " `" << kv << "`";
      o << ".";
    }
    o << "\n\n|";
    for (auto& h : header) o << " " << h << " |";
    o << "\n|";
    for (size_t i = 0; i < std::size(header); ++i) o << " --- |";
    o << "\n";
    for (auto& r : rows) {
      o << "|";
      for (auto& v : values(r)) o << " " << v << " |";
      o << "\n";
    }
    for (auto& r : rows)
      if (!r.note.empty()) o << "\nepsilon " << r.label << ": " << r.note << "\n";
    if (any_private) o << "\n![fidelity against epsilon](sweep.png)\n";
    else o << "\nNo private budget in sweep.epsilons: no plot against epsilon.\n";
    o.close(md.path());
    md.commit();
  }
  if (any_private) write_plot(rows, out);  // its x axis is epsilon: nothing to draw without one
  std::cout << "sweep: wrote " << out << "/sweep.csv, sweep.md" << (any_private ? " and sweep.png" : "") << std::endl;
  return 0;
}

}  // namespace doppel
