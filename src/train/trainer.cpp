#include "doppel/train/trainer.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

#include "doppel/config/atomic_file.hpp"
#include "doppel/logging/checkpoint_policy.hpp"
#include "doppel/train/checkpoint_archive.hpp"
#include "doppel/dist/fault_injection.hpp"
#include "doppel/dist/parameter_agreement.hpp"
#include "doppel/error.hpp"
#include "doppel/data/export.hpp"
#include "doppel/config/file_output_stream.hpp"
#include "doppel/model/example_random.hpp"
#include "doppel/model/model_space.hpp"
#include "doppel/model/packing.hpp"
#include "doppel/model/wgan_gp.hpp"
#include "doppel/privacy/privacy_engine.hpp"
#include "doppel/logging/progress_line.hpp"
#include "doppel/logging/tensorboard_writer.hpp"
#include "doppel/optim/fused_adam.hpp"
#include "doppel/train/stop_signal.hpp"

namespace fs = std::filesystem;

namespace doppel {

namespace {
constexpr int64_t kCheckpointFormat = 1;

torch::optim::AdamOptions adam(double lr, const Config& c) {
  return torch::optim::AdamOptions(lr).betas(
      std::make_tuple(c.number("train.adam_beta1"), c.number("train.adam_beta2")));
}

void set_lr(torch::optim::Adam& opt, double lr) {
  for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

void set_requires_grad(torch::nn::Module& m, bool on) {
  for (auto& p : m.parameters()) p.requires_grad_(on);
}

int64_t positive(const Config& c, const std::string& key, int64_t min) {
  long long v = c.integer(key);
  if (v < min) throw Error(c.origin() + ": " + key + " must be >= " + std::to_string(min) + ", got " + std::to_string(v));
  return v;
}

torch::Tensor scalar_i64(int64_t v) { return torch::tensor({v}, torch::kLong); }
int64_t read_i64(torch::serialize::InputArchive& a, const std::string& key) {
  torch::Tensor t;
  a.read(key, t);
  return t.item<int64_t>();
}
}  // namespace

std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  // seed_seq mixes (seed, epoch) so neighbouring epochs get unrelated streams.
  std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), uint32_t(epoch), uint32_t(uint64_t(epoch) >> 32)};
  std::mt19937_64 rng(seq);
  for (int64_t i = n - 1; i > 0; --i) {
    // rejection-free modulo: exact enough for shuffling and, unlike std::shuffle,
    // identical on every standard library.
    int64_t j = int64_t(rng() % uint64_t(i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

void all_reduce_gradients(torch::nn::Module& module, Communicator& comm) {
  if (comm.world() == 1) return;
  std::vector<torch::Tensor> grads;
  for (auto& p : module.parameters()) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  if (grads.empty()) return;
  std::vector<torch::Tensor> flat_parts;
  for (auto& g : grads) flat_parts.push_back(g.reshape(-1));
  auto flat = torch::cat(flat_parts);
  comm.all_reduce_sum(flat);
  int64_t off = 0;
  for (auto& g : grads) {
    g.copy_(flat.narrow(0, off, g.numel()).view_as(g));
    off += g.numel();
  }
}

void broadcast_parameters(torch::nn::Module& module, Communicator& comm) {
  if (comm.world() == 1) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> all = module.parameters();
  for (auto& b : module.buffers()) all.push_back(b);
  std::vector<torch::Tensor> parts;
  for (auto& t : all) parts.push_back(t.reshape(-1));
  auto flat = torch::cat(parts);
  comm.broadcast(flat, 0);
  int64_t off = 0;
  for (auto& t : all) {
    t.copy_(flat.narrow(0, off, t.numel()).view_as(t));
    off += t.numel();
  }
}

Trainer::Trainer(Config config, const BatchSource& source, Communicator& comm, std::string run_dir)
    : config_(std::move(config)),
      source_(source),
      comm_(comm),
      run_dir_(std::move(run_dir)),
      options_(ModelOptions::from_config(config_)),
      layout_(ModelLayout::from(source.schema(), options_)),
      g_schedule_(cyclic_mode_from_string(config_.string("train.g_lr_schedule"), config_.origin() + ": train.g_lr_schedule"),
                  config_.number("train.g_base_lr"), config_.number("train.g_max_lr"),
                  config_.integer("train.g_step_size"), config_.number("train.g_gamma")) {
  const Config& c = config_;
  seed_ = uint64_t(c.integer("train.seed"));
  if (positive(c, "train.threads", 0) > 0) torch::set_num_threads(int(c.integer("train.threads")));
  // Checked here, not when the first checkpoint is rotated: a run must not fail after its first save.
  positive(c, "train.keep_checkpoints", 1);
  positive(c, "train.extra_checkpoint_freq", 0);
  batch_ = positive(c, "train.batch_size", 1);
  positive(c, "train.d_rounds", 1);
  if (positive(c, "train.attr_d_extra_rounds", 0) != 0 && c.boolean("privacy.enabled"))
    throw Error(c.origin() + ": train.attr_d_extra_rounds must be 0 under privacy.enabled (each critic round is an "
                "accounted query of the private data; use train.d_rounds)");
  positive(c, "train.g_rounds", 0);
  positive(c, "train.log_every", 1);
  positive(c, "train.checkpoint_every", 1);
  if (batch_ % (options_.packing * comm.world()) != 0)
    throw Error(c.origin() + ": train.batch_size " + std::to_string(batch_) + " must be a multiple of model.packing (" +
                std::to_string(options_.packing) + ") × ranks (" + std::to_string(comm.world()) + ")");
  local_batch_ = batch_ / comm.world();
  local_offset_ = local_batch_ * comm.rank();
  steps_per_epoch_ = source.size() / batch_;
  if (steps_per_epoch_ == 0)
    throw Error(c.origin() + ": train.batch_size " + std::to_string(batch_) + " exceeds the " +
                std::to_string(source.size()) + " training items");
  total_steps_ = c.integer("train.max_steps") > 0 ? c.integer("train.max_steps")
                                                   : positive(c, "train.epochs", 1) * steps_per_epoch_;

  // Weight initialisation draws from torch's global generator: seed it so every rank and
  // every run with this seed starts from the same weights.
  torch::manual_seed(seed_);
  generator_ = Generator(layout_, options_);
  calendar_ = CalendarAlignment::from(source.schema(), options_.critic_calendar);
  critic_ = Discriminator(calendar_.placed_length(layout_.L) * layout_.step_width() * options_.packing +
                              layout_.all_attribute_width() * options_.packing,
                          options_.disc_units, options_.disc_layers);
  attr_critic_ = Discriminator(layout_.all_attribute_width() * options_.packing, options_.attr_disc_units,
                               options_.attr_disc_layers);
  broadcast_parameters(*generator_, comm_);
  broadcast_parameters(*critic_, comm_);
  broadcast_parameters(*attr_critic_, comm_);
  if (c.boolean("privacy.enabled")) {
    // Packing would put several private examples into one critic input, and adding or
    // removing one example would reshuffle the packs of others: the per-example bound
    // would no longer be C. So DP requires one example per critic input.
    if (options_.packing != 1)
      throw Error(c.origin() + ": privacy.enabled requires model.packing = 1 (got " + std::to_string(options_.packing) +
                  "): with packs, one example's presence changes other packs and the clip bound no longer "
                  "limits its influence");
    PrivacyOptions po = PrivacyOptions::from_config(c);
    // Every rank must draw the same Poisson uniforms: rank 0's seed wins.
    auto seed = torch::tensor({int64_t(fresh_privacy_seed(po.seed))}, torch::kLong);
    comm_.broadcast(seed, 0);
    const int64_t n = source.size();
    shard_begin_ = n * comm_.rank() / comm_.world();
    shard_end_ = n * (comm_.rank() + 1) / comm_.world();
    privacy_ = std::make_unique<PrivacyEngine>(
        po, std::vector<torch::nn::Module*>{critic_.ptr().get(), attr_critic_.ptr().get()}, double(batch_) / double(n),
        c.integer("train.d_rounds") * total_steps_, uint64_t(seed.item<int64_t>()));
  }
  ema_decay_ = c.number("train.g_ema_decay");
  attribute_gradient_from_feature_critic_ = c.boolean("train.attribute_gradient_from_feature_critic");
  if (!(ema_decay_ >= 0 && ema_decay_ < 1))
    throw Error(c.origin() + ": train.g_ema_decay must be in [0, 1), got " + std::to_string(ema_decay_));
  if (ema_decay_ > 0) {
    // A second generator holding the average, starting at the initial weights. Its own
    // initialisation draws from torch's global generator: restore that afterwards, so turning
    // the average on does not change the training trajectory.
    auto global = at::detail::getDefaultCPUGenerator();
    const auto state = global.get_state();
    ema_generator_ = Generator(layout_, options_);
    global.set_state(state);
    for (auto& p : ema_generator_->parameters()) p.set_requires_grad(false);
    restart_moving_average();
  }
  opt_g_ = std::make_unique<FusedAdam>(generator_->parameters(), adam(g_schedule_.lr(0), c));
  opt_d_ = std::make_unique<FusedAdam>(critic_->parameters(), adam(c.number("train.d_lr"), c));
  opt_attr_d_ = std::make_unique<FusedAdam>(attr_critic_->parameters(), adam(c.number("train.d_attr_lr"), c));
  rng_ = make_cpu_generator(seed_ + 1);
}

Trainer::~Trainer() = default;

void Trainer::next_indices(std::vector<int64_t>& idx) {
  if (cursor_ + batch_ > int64_t(source_.size())) {  // the incomplete tail is skipped
    ++epoch_;
    cursor_ = 0;
  }
  if (order_epoch_ != epoch_) {
    order_ = epoch_order(source_.size(), seed_, epoch_);
    order_epoch_ = epoch_;
  }
  idx.assign(order_.begin() + cursor_ + local_offset_, order_.begin() + cursor_ + local_offset_ + local_batch_);
  cursor_ += batch_;
}

torch::Tensor Trainer::critic_input(const torch::Tensor& steps, const torch::Tensor& attributes,
                                    int64_t packing) const {
  return feature_critic_input(calendar_.place(steps, attributes), attributes, packing);
}

StepLosses Trainer::step() {
  const Config& c = config_;
  const int64_t p = options_.packing, packs = batch_ / p, pack_off = local_offset_ / p, local_packs = local_batch_ / p;
  const double gp_coe = c.number("train.gp_coe"), attr_gp_coe = c.number("train.attr_gp_coe");
  // Sums over this rank's examples divided by the GLOBAL count: after the gradient
  // all-reduce every rank holds the gradient of the global-batch mean.
  const double norm = 1.0 / double(packs);
  torch::Tensor d_sum, da_sum, gp_sum, gpa_sum, w_sum, g_sum;
  if (privacy_) {
    // DP: every d_round draws a fresh Poisson sample and is one accounted step.
    for (int64_t r = 0; r < c.integer("train.d_rounds"); ++r) {
      auto sums = dp_critic_round();
      d_sum = sums[0], da_sum = sums[1], gp_sum = sums[2], gpa_sum = sums[3], w_sum = sums[4];
    }
    epoch_ = step_ / steps_per_epoch_;
  }
  std::vector<int64_t> idx;
  torch::Tensor real_in, real_attr_in;
  if (!privacy_) {
    next_indices(idx);
    auto real = to_model_space(source_.read_indices(idx), layout_);
    real_in = critic_input(real.features, real.attributes, p);
    real_attr_in = pack_examples(real.attributes, p);
  }
  for (int64_t r = 0; !privacy_ && r < c.integer("train.d_rounds"); ++r) {
    auto noise = draw_generator_noise(rng_, layout_, options_, batch_, local_offset_, local_batch_);
    Generated fake;
    {
      torch::NoGradGuard no_grad;
      fake = generator_->forward(noise);
    }
    auto eps = example_uniform(rng_, packs, pack_off, local_packs, {});
    auto eps_attr = example_uniform(rng_, packs, pack_off, local_packs, {});
    auto lf = critic_loss(critic_, real_in, critic_input(fake.features, fake.attributes, p), eps, gp_coe);
    auto la = critic_loss(attr_critic_, real_attr_in, pack_examples(fake.attributes, p), eps_attr, attr_gp_coe);
    opt_d_->zero_grad();
    opt_attr_d_->zero_grad();
    ((lf.per_example.sum() + la.per_example.sum()) * norm).backward();
    all_reduce_gradients(*critic_, comm_);
    all_reduce_gradients(*attr_critic_, comm_);
    opt_d_->step();
    opt_attr_d_->step();
    d_sum = lf.per_example.sum().detach();
    da_sum = la.per_example.sum().detach();
    gp_sum = lf.penalty.sum().detach();
    gpa_sum = la.penalty.sum().detach();
    w_sum = (lf.real_score - lf.fake_score).sum().detach();
  }
  for (int64_t r = 0; !privacy_ && r < c.integer("train.attr_d_extra_rounds"); ++r) {
    auto noise = draw_generator_noise(rng_, layout_, options_, batch_, local_offset_, local_batch_);
    torch::Tensor fake_attr;
    {
      torch::NoGradGuard no_grad;
      fake_attr = generator_->attributes_only(noise);
    }
    auto eps_attr = example_uniform(rng_, packs, pack_off, local_packs, {});
    auto la = critic_loss(attr_critic_, real_attr_in, pack_examples(fake_attr, p), eps_attr, attr_gp_coe);
    opt_attr_d_->zero_grad();
    (la.per_example.sum() * norm).backward();
    all_reduce_gradients(*attr_critic_, comm_);
    opt_attr_d_->step();
    da_sum = la.per_example.sum().detach();
    gpa_sum = la.penalty.sum().detach();
  }

  set_lr(*opt_g_, g_schedule_.lr(step_));
  set_requires_grad(*critic_, false);  // the G step needs no critic weight gradients
  set_requires_grad(*attr_critic_, false);
  g_sum = torch::zeros({});
  for (int64_t r = 0; r < c.integer("train.g_rounds"); ++r) {
    auto noise = draw_generator_noise(rng_, layout_, options_, batch_, local_offset_, local_batch_);
    auto fake = generator_->forward(noise);
    // train.attribute_gradient_from_feature_critic = false: the feature critic still judges the
    // features against the generated attributes, but its gradient stops at them; the attribute
    // generator then learns from the attribute critic alone (min/max and features as before).
    auto judged = attribute_gradient_from_feature_critic_
                      ? fake.attributes
                      : torch::cat({fake.attributes.slice(1, 0, layout_.A).detach(), fake.attributes.slice(1, layout_.A)}, 1);
    auto gl = generator_loss(critic_, attr_critic_, critic_input(fake.features, judged, p),
                             pack_examples(fake.attributes, p), c.number("train.g_attr_d_coe"));
    opt_g_->zero_grad();
    (gl.sum() * norm).backward();
    all_reduce_gradients(*generator_, comm_);
    opt_g_->step();
    update_moving_average();
    g_sum = gl.sum().detach();
  }
  set_requires_grad(*critic_, true);
  set_requires_grad(*attr_critic_, true);
  ++step_;
  // Non-finite weights (a diverged update, a non-finite gradient) make the next losses non-finite,
  // so the losses tell of both; train() stops on them.
  losses_finite_ = torch::stack({d_sum, da_sum, g_sum, gp_sum, gpa_sum, w_sum}).isfinite().all().item<bool>();

  StepLosses l;
  if (step_ % c.integer("train.log_every") == 0 || step_ == total_steps_) {
    auto stats = torch::stack({d_sum, da_sum, g_sum, gp_sum, gpa_sum, w_sum}).to(torch::kDouble).contiguous();
    comm_.all_reduce_sum(stats);
    stats = stats / double(packs);
    auto s = stats.accessor<double, 1>();
    l = {s[0], s[1], s[2], s[3], s[4], s[5]};
  }
  return l;
}

void Trainer::restart_moving_average() {
  if (!ema_generator_) return;
  torch::NoGradGuard no_grad;
  auto avg = ema_generator_->parameters(), live = generator_->parameters();
  for (size_t i = 0; i < avg.size(); ++i) avg[i].copy_(live[i]);
}

void Trainer::update_moving_average() {
  if (!ema_generator_) return;
  torch::NoGradGuard no_grad;
  auto avg = ema_generator_->parameters(), live = generator_->parameters();
  for (size_t i = 0; i < avg.size(); ++i) avg[i].mul_(ema_decay_).add_(live[i], 1.0 - ema_decay_);
}

void Trainer::log(const StepLosses& l) {
  const double g_lr = g_schedule_.lr(step_ - 1);
  if (!progress_) progress_ = std::make_unique<Progress>(total_steps_, steps_per_epoch_, batch_, comm_.rank());
  std::vector<std::pair<std::string, double>> shown = {
      {"d_loss", l.d_loss}, {"d_attr_loss", l.d_attr_loss}, {"g_loss", l.g_loss}};
  if (privacy_) shown.emplace_back("epsilon", privacy_->epsilon());
  std::cout << progress_->update(step_, shown, Progress::Clock::now()) << std::endl;
  if (comm_.rank() != 0) return;
  if (!tb_) tb_ = std::make_unique<TensorBoardWriter>(run_dir_);
  tb_->scalar("d_loss", l.d_loss, step_);
  tb_->scalar("d_attr_loss", l.d_attr_loss, step_);
  tb_->scalar("g_loss", l.g_loss, step_);
  tb_->scalar("gp", l.gp, step_);
  tb_->scalar("gp_attr", l.gp_attr, step_);
  tb_->scalar("wasserstein", l.wasserstein, step_);
  tb_->scalar("g_lr", g_lr, step_);
  tb_->scalar("d_lr", config_.number("train.d_lr"), step_);
  if (privacy_) tb_->scalar("epsilon", privacy_->epsilon(), step_);
  tb_->flush();
}

void Trainer::save_samples() {
  if (comm_.rank() != 0) return;
  const int64_t n = config_.integer("train.vis_samples");
  if (n < 1) return;
  // Own generator seeded by the step, so saving samples never shifts the training noise.
  auto gen = make_cpu_generator(seed_ * 1000003ULL + uint64_t(step_));
  torch::NoGradGuard no_grad;
  auto fake = generator_for_sampling()->forward(draw_generator_noise(gen, layout_, options_, n, 0, n));
  auto batch = from_model_space(fake.attributes, fake.features, layout_);
  Schema schema = source_.schema();
  schema.kind = "sequences";
  fs::create_directories(fs::path(run_dir_) / "samples");
  char name[64];
  std::snprintf(name, sizeof name, "samples-%08lld.csv", static_cast<long long>(step_));
  AtomicFile file((fs::path(run_dir_) / "samples" / name).string());
  {
    FileOutputStream out(file.temp_path());
    CsvExporter exporter(schema, out);
    exporter.write(batch);
    out.close(file.path());
  }
  file.commit();
}

void Trainer::train() {
  const int64_t ckpt_every = config_.integer("train.checkpoint_every");
  const int64_t vis = config_.integer("train.vis_freq");
  const int64_t checksum_every = config_.integer("dist.checksum_every");
  int64_t last_saved = -1;
  stopped_by_signal_ = false;
  while (step_ < total_steps_) {
    inject_fault_if_requested(comm_.rank(), step_);
    if (!budget_allows_step()) {
      if (comm_.rank() == 0)
        std::cout << "privacy budget: stopping at step " << step_ << " of " << total_steps_ << ", epsilon "
                  << privacy_->epsilon() << "; one more step would spend " << privacy_->epsilon_after(config_.integer("train.d_rounds"))
                  << " > target " << privacy_->options().target_epsilon << std::endl;
      break;
    }
    auto l = step();
    // Every rank learns of a non-finite loss on any rank, and all stop before anything of this
    // step is written: the newest checkpoint stays the last good one.
    if (comm_.any(!losses_finite_))
      throw Error("step " + std::to_string(step_) + ": a loss or gradient is not finite (NaN or infinite) on " +
                  (losses_finite_ ? std::string("another rank") : "rank " + std::to_string(comm_.rank())) +
                  "; training stopped without writing a checkpoint of it" + last_good_checkpoint_note() +
                  " (lower the learning rates, train.d_lr " + config_.value_text("train.d_lr") + ", train.g_max_lr " +
                  config_.value_text("train.g_max_lr") + ")");
    if (checksum_every > 0 && step_ % checksum_every == 0) check_parameters_agree(named_state(), comm_, step_);
    // One tiny all-reduce per step: all ranks stop together when any rank got SIGTERM/SIGUSR1/SIGINT.
    if (comm_.any(pending_stop_signal() != 0)) {
      save_checkpoint();
      stopped_by_signal_ = true;
      return;
    }
    if (step_ % config_.integer("train.log_every") == 0 || step_ == total_steps_) log(l);
    if (vis > 0 && step_ % vis == 0) save_samples();
    if (step_ % ckpt_every == 0) {
      save_checkpoint();
      last_saved = step_;
    }
  }
  if (last_saved != step_) save_checkpoint();
}

bool Trainer::budget_allows_step() const {
  if (!privacy_) return true;
  return privacy_->epsilon_after(config_.integer("train.d_rounds")) <= privacy_->options().target_epsilon;
}

void Trainer::write_privacy_json() {
  if (!privacy_ || comm_.rank() != 0) return;
  write_file_atomic((fs::path(run_dir_) / "privacy.json").string(), privacy_->summary_json() + "\n");
}

std::vector<std::pair<std::string, torch::Tensor>> Trainer::named_state() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  auto add = [&](const std::string& prefix, const torch::nn::Module& m) {
    for (const auto& kv : m.named_parameters()) out.emplace_back(prefix + kv.key(), kv.value());
    for (const auto& kv : m.named_buffers()) out.emplace_back(prefix + kv.key(), kv.value());
  };
  add("generator.", *generator_);
  if (ema_generator_) add("generator_ema.", *ema_generator_);
  add("critic.", *critic_);
  add("attr_critic.", *attr_critic_);
  return out;
}

std::string Trainer::last_good_checkpoint_note() const {
  const std::string last = comm_.rank() == 0 ? newest_checkpoint(run_dir_) : std::string();
  return last.empty() ? std::string() : "; the last good checkpoint is " + last;
}

bool Trainer::state_is_finite() const {
  for (const auto& kv : named_state())
    if (kv.second.is_floating_point() && !kv.second.isfinite().all().item<bool>()) return false;
  return true;
}

std::string Trainer::save_checkpoint() {
  const std::string path = (fs::path(run_dir_) / checkpoint_name(step_)).string();
  // Never a checkpoint of non-finite weights: it would be resumed or generated from as if good.
  // The weights are the same on every rank, so every rank decides alike.
  if (!state_is_finite())
    throw Error("step " + std::to_string(step_) + ": the weights are not finite (NaN or infinite); no checkpoint "
                "written" + last_good_checkpoint_note());
  if (comm_.rank() == 0) {
    fs::create_directories(run_dir_);
    torch::serialize::OutputArchive a;
    auto sub = [&](const std::string& key, auto&& save) {
      torch::serialize::OutputArchive s;
      save(s);
      a.write(key, s);
    };
    a.write("format", scalar_i64(kCheckpointFormat));
    sub("generator", [&](auto& s) { generator_->save(s); });
    if (ema_generator_) sub("generator_ema", [&](auto& s) { ema_generator_->save(s); });
    sub("critic", [&](auto& s) { critic_->save(s); });
    sub("attr_critic", [&](auto& s) { attr_critic_->save(s); });
    sub("opt_g", [&](auto& s) { opt_g_->save(s); });
    sub("opt_d", [&](auto& s) { opt_d_->save(s); });
    sub("opt_attr_d", [&](auto& s) { opt_attr_d_->save(s); });
    a.write("step", scalar_i64(step_));
    a.write("epoch", scalar_i64(epoch_));
    a.write("cursor", scalar_i64(cursor_));
    a.write("shuffle_seed", scalar_i64(int64_t(seed_)));
    a.write("rng", rng_.get_state());
    a.write("config", c10::IValue(config_.to_toml()));
    if (privacy_) {
      a.write("privacy", c10::IValue(privacy_->state_json()));
      a.write("privacy_summary", c10::IValue(privacy_->summary_json()));
      a.write("privacy_noise_rng", privacy_->noise_rng_state());
      a.write("privacy_sample_rng", privacy_->sample_rng_state());
    }
    a.write("schema", c10::IValue(source_.schema().to_json()));
    write_checkpoint_file(a, path);
    CheckpointPolicy policy{config_.integer("train.keep_checkpoints"), config_.integer("train.extra_checkpoint_freq")};
    for (int64_t s : checkpoints_to_delete(list_checkpoints(run_dir_), step_, policy))
      fs::remove(fs::path(run_dir_) / checkpoint_name(s));
    write_privacy_json();
  }
  comm_.barrier();
  return path;
}

bool Trainer::resume() {
  // Rank 0 chooses, so every rank resumes from the same checkpoint.
  std::string path, hint;
  if (comm_.rank() == 0) {
    const auto steps = list_checkpoints(run_dir_);
    if (!steps.empty()) path = (fs::path(run_dir_) / checkpoint_name(steps.back())).string();
    if (steps.size() > 1) {
      const std::string previous = (fs::path(run_dir_) / checkpoint_name(steps[steps.size() - 2])).string();
      hint = "; to continue from the previous checkpoint instead, give --resume-from " + previous;
    }
  }
  broadcast_bytes(path, comm_, 0);
  if (path.empty()) return false;
  load_checkpoint(path, hint);
  return true;
}

void Trainer::load_checkpoint(const std::string& path) { load_checkpoint(path, ""); }

void Trainer::load_checkpoint(const std::string& path, const std::string& unreadable_hint) {
  // Rank 0 reads the file and sends its bytes: every rank loads identical weights, optimizer
  // moments, RNG state and cursor, with or without a shared file system.
  // A file rank 0 cannot read fails on every rank with rank 0's message, instead of leaving the
  // others waiting in the broadcast.
  std::string bytes, error;
  if (comm_.rank() == 0) {
    try {
      bytes = read_checkpoint_bytes(path);
    } catch (const Error& e) {
      error = e.what() + unreadable_hint;
    }
  }
  if (comm_.any(!error.empty())) {
    broadcast_bytes(error, comm_, 0);
    throw Error(error);
  }
  broadcast_bytes(bytes, comm_, 0);
  torch::serialize::InputArchive a;
  load_checkpoint_archive(a, bytes, path);
  if (read_i64(a, "format") != kCheckpointFormat)
    throw Error(path + ": checkpoint format " + std::to_string(read_i64(a, "format")) + " is not supported");
  c10::IValue schema_json;
  a.read("schema", schema_json);
  if (!Schema::from_json(schema_json.toStringRef(), path).same_layout(source_.schema()))
    throw Error(path + ": the checkpoint's schema does not match the training data's schema");
  // The model settings must be the checkpoint's: other shapes cannot load, and other activations
  // or noise sizes would continue a different model than config.toml claims.
  c10::IValue stored_config;
  a.read("config", stored_config);
  const auto changed = differing_keys(Config::parse(stored_config.toStringRef(), path + " (stored config)"), config_,
                                      "model");
  if (!changed.empty()) {
    std::string list;
    for (const auto& k : changed) list += (list.empty() ? "" : ", ") + k;
    throw Error(path + ": the config's model differs from the checkpoint's (" + list +
                "); resume with the checkpoint's model settings, or start a new run (--overwrite or another --out)");
  }
  auto sub = [&](const std::string& key, auto&& load) {
    torch::serialize::InputArchive s;
    a.read(key, s);
    try {
      load(s);
    } catch (const c10::Error& e) {
      throw Error(path + ": cannot load its " + key + " (" + std::string(e.what_without_backtrace()) + ")");
    }
  };
  sub("generator", [&](auto& s) { generator_->load(s); });
  if (ema_generator_) {
    torch::serialize::InputArchive s;
    if (!a.try_read("generator_ema", s))
      throw Error(path + ": checkpoint has no moving average of the generator, but train.g_ema_decay = " +
                  std::to_string(ema_decay_) + " (it was trained with 0; resume with the same setting)");
    ema_generator_->load(s);
  }
  sub("critic", [&](auto& s) { critic_->load(s); });
  sub("attr_critic", [&](auto& s) { attr_critic_->load(s); });
  sub("opt_g", [&](auto& s) { opt_g_->load(s); });
  sub("opt_d", [&](auto& s) { opt_d_->load(s); });
  sub("opt_attr_d", [&](auto& s) { opt_attr_d_->load(s); });
  step_ = read_i64(a, "step");
  epoch_ = read_i64(a, "epoch");
  cursor_ = read_i64(a, "cursor");
  if (uint64_t(read_i64(a, "shuffle_seed")) != seed_)
    throw Error(path + ": checkpoint was trained with train.seed " + std::to_string(read_i64(a, "shuffle_seed")) +
                ", the config says " + std::to_string(seed_));
  order_epoch_ = -1;
  torch::Tensor state;
  a.read("rng", state);
  rng_.set_state(state);
  c10::IValue privacy_state;
  const bool has_privacy = a.try_read("privacy", privacy_state);
  if (privacy_) {
    if (!has_privacy)
      throw Error(path + ": checkpoint of a non-private run, but privacy.enabled = true: resuming it privately "
                  "would not account its earlier steps (use train --init-from to fine-tune it privately)");
    torch::Tensor noise_rng, sample_rng;
    a.read("privacy_noise_rng", noise_rng);
    a.read("privacy_sample_rng", sample_rng);
    privacy_->load_state(privacy_state.toStringRef(), noise_rng, sample_rng, path);
  } else if (has_privacy) {
    throw Error(path + ": checkpoint of a private run, but privacy.enabled = false: continuing it without DP "
                "would silently void its guarantee");
  }
  broadcast_parameters(*generator_, comm_);
  if (ema_generator_) broadcast_parameters(*ema_generator_, comm_);
  broadcast_parameters(*critic_, comm_);
  broadcast_parameters(*attr_critic_, comm_);
}

void Trainer::init_from(const std::string& path) {
  torch::serialize::InputArchive a;
  load_checkpoint_archive(a, read_checkpoint_bytes(path), path);
  c10::IValue schema_json;
  a.read("schema", schema_json);
  if (!Schema::from_json(schema_json.toStringRef(), path).same_layout(source_.schema()))
    throw Error(path + ": --init-from: the checkpoint's schema does not match the training data's schema");
  auto sub = [&](const std::string& key, torch::nn::Module& m) {
    torch::serialize::InputArchive s;
    a.read(key, s);
    try {
      m.load(s);
    } catch (const c10::Error& e) {
      throw Error(path + ": --init-from: the " + key + " weights do not fit this model's shape (" +
                  std::string(e.what_without_backtrace()) + ")");
    }
  };
  sub("generator", *generator_);
  sub("critic", *critic_);
  sub("attr_critic", *attr_critic_);
  broadcast_parameters(*generator_, comm_);
  broadcast_parameters(*critic_, comm_);
  broadcast_parameters(*attr_critic_, comm_);
  restart_moving_average();  // the average starts at the loaded weights
}

}  // namespace doppel
