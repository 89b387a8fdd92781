// The bank-transaction simulator. Every constant here is stated in docs/simulators.md;
// change both together.
#include <algorithm>
#include <cmath>
#include <vector>

#include "doppel/config/atomic_file.hpp"
#include "doppel/error.hpp"
#include "doppel/simulate/simulate.hpp"
#include "simulate_common.hpp"

namespace doppel {
namespace {

constexpr long long kDay = 86400;

// Index of the two scheduled incomes in the catalogue (weight 0: never a Poisson event).
constexpr int kSalary = 42;
constexpr int kPension = 43;

const std::vector<BankDescription> kDescriptions = {
    // name                  flag           sign  median  sigma  weight
    {"groceries", "CARD", -1, 35.0, 0.70, 14.0},
    {"restaurants", "CARD", -1, 28.0, 0.70, 6.0},
    {"cafe", "CARD", -1, 5.0, 0.50, 6.0},
    {"fast_food", "CARD", -1, 12.0, 0.50, 4.0},
    {"fuel", "CARD", -1, 50.0, 0.40, 5.0},
    {"public_transport", "CARD", -1, 3.0, 0.60, 3.0},
    {"taxi", "CARD", -1, 18.0, 0.60, 1.5},
    {"clothing", "CARD", -1, 60.0, 0.80, 3.0},
    {"electronics", "CARD", -1, 150.0, 1.00, 1.0},
    {"pharmacy", "CARD", -1, 15.0, 0.70, 2.5},
    {"online_shopping", "CARD", -1, 40.0, 0.90, 5.0},
    {"books", "CARD", -1, 20.0, 0.60, 1.0},
    {"entertainment", "CARD", -1, 30.0, 0.70, 2.0},
    {"travel", "CARD", -1, 300.0, 0.90, 0.8},
    {"hotel", "CARD", -1, 200.0, 0.70, 0.5},
    {"home_improvement", "CARD", -1, 70.0, 1.00, 1.2},
    {"furniture", "CARD", -1, 350.0, 0.80, 0.4},
    {"pet_supplies", "CARD", -1, 30.0, 0.60, 1.0},
    {"sports", "CARD", -1, 45.0, 0.80, 1.0},
    {"alcohol_tobacco", "CARD", -1, 20.0, 0.60, 1.5},
    {"beauty", "CARD", -1, 40.0, 0.60, 1.2},
    {"parking", "CARD", -1, 4.0, 0.60, 1.5},
    {"card_refund", "CARD", +1, 40.0, 0.90, 0.8},
    {"rent", "DIRECT_DEBIT", -1, 900.0, 0.35, 2.0},
    {"mortgage", "DIRECT_DEBIT", -1, 1100.0, 0.35, 1.0},
    {"electricity", "DIRECT_DEBIT", -1, 70.0, 0.40, 2.0},
    {"gas_heating", "DIRECT_DEBIT", -1, 60.0, 0.50, 1.5},
    {"water", "DIRECT_DEBIT", -1, 30.0, 0.40, 1.0},
    {"phone", "DIRECT_DEBIT", -1, 35.0, 0.40, 2.0},
    {"internet", "DIRECT_DEBIT", -1, 40.0, 0.30, 1.5},
    {"insurance", "DIRECT_DEBIT", -1, 55.0, 0.60, 1.5},
    {"streaming_subscription", "DIRECT_DEBIT", -1, 12.0, 0.30, 2.0},
    {"gym_membership", "DIRECT_DEBIT", -1, 35.0, 0.30, 1.0},
    {"loan_repayment", "DIRECT_DEBIT", -1, 250.0, 0.60, 1.0},
    {"council_tax", "DIRECT_DEBIT", -1, 120.0, 0.30, 1.0},
    {"transfer_out", "TRANSFER", -1, 100.0, 1.10, 4.0},
    {"transfer_in", "TRANSFER", +1, 120.0, 1.10, 3.0},
    {"savings_deposit", "TRANSFER", -1, 200.0, 0.80, 1.5},
    {"charity_donation", "TRANSFER", -1, 20.0, 0.80, 0.6},
    {"tax_refund", "TRANSFER", +1, 400.0, 0.80, 0.3},
    {"atm_withdrawal", "CASH", -1, 60.0, 0.60, 4.0},
    {"cash_deposit", "CASH", +1, 200.0, 0.90, 1.0},
    {"salary", "SALARY", +1, 2400.0, 0.45, 0.0},
    {"pension", "SALARY", +1, 1300.0, 0.30, 0.0},
};

const std::vector<std::string> kFlags = {"CARD", "DIRECT_DEBIT", "TRANSFER", "CASH", "SALARY"};

// Account-level process.
constexpr double kRateMedian = 0.039 / 1.3771277643359572;  // E[rate] = 0.039 events/day
constexpr double kRateSigma = 0.8;
constexpr double kFullWindowProb = 0.90;
constexpr double kSalariedProb = 0.50;
constexpr double kPensionerProb = 0.10;
constexpr double kSalaryMonthlySigma = 0.03;
constexpr double kPositiveBalanceProb = 0.90;

// Day-of-week weights (Monday first), mean 1 over the week.
constexpr double kWeekday[7] = {1.0, 1.0, 1.0, 1.0, 1.2, 1.1, 0.7};
constexpr double kWeekdayMax = 1.2;
// Hour-of-day weights before normalising to mean 1 over 24 hours.
constexpr double kHourRaw[24] = {0.15, 0.08, 0.05, 0.04, 0.05, 0.15, 0.40, 0.80,
                                 1.10, 1.20, 1.30, 1.50, 1.80, 1.60, 1.30, 1.30,
                                 1.50, 1.80, 1.90, 1.60, 1.20, 0.80, 0.50, 0.30};

struct HourProfile {
  double h[24];
  double max;
  HourProfile() {
    double sum = 0;
    for (double x : kHourRaw) sum += x;
    max = 0;
    for (int i = 0; i < 24; ++i) {
      h[i] = kHourRaw[i] * 24.0 / sum;
      max = std::max(max, h[i]);
    }
  }
};
const HourProfile kHours;

struct Event {
  long long t;  // seconds since the period start
  int desc;
  long long cents;  // signed
};

// Cumulative weights of the Poisson descriptions, for inverse-CDF choice.
struct DescriptionChooser {
  std::vector<double> cum;
  DescriptionChooser() {
    double c = 0;
    for (const auto& d : kDescriptions) cum.push_back(c += d.weight);
  }
  int pick(sim::Rng& rng) const {
    double u = rng.uniform() * cum.back();
    int i = static_cast<int>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin());
    return i;  // zero-weight entries share their predecessor's bound, so are never chosen
  }
};
const DescriptionChooser kChooser;

long long amount_cents(sim::Rng& rng, int desc, double median_scale = 1.0) {
  const auto& d = kDescriptions[desc];
  double x = rng.lognormal(d.median * median_scale, d.sigma);
  long long c = std::max(1LL, std::llround(x * 100.0));
  return d.sign * c;
}

// Last Monday-to-Friday day of the month.
int last_business_day(int y, int m) {
  int d = sim::days_in_month(y, m);
  while (sim::weekday_from_days(sim::days_from_civil(y, m, d)) >= 5) --d;
  return d;
}
// First Monday-to-Friday day of the month.
int first_business_day(int y, int m) {
  int d = 1;
  while (sim::weekday_from_days(sim::days_from_civil(y, m, d)) >= 5) ++d;
  return d;
}

class AccountSimulator {
 public:
  AccountSimulator(long long start_day, int months)
      : start_day_(start_day), start_(sim::civil_from_days(start_day)), months_(months) {
    sim::Civil end = month_shift(months);
    period_ = (sim::days_from_civil(end.year, end.month, end.day) - start_day) * kDay;
  }

  // Generates one account's rows (sorted by time) into events; returns its initial balance.
  long long run(std::uint64_t seed, long long id, std::vector<Event>& events) const {
    events.clear();
    sim::Rng rng(sim::mix_seed(seed, static_cast<std::uint64_t>(id)));
    long long balance = rng.bernoulli(kPositiveBalanceProb) ? std::llround(rng.lognormal(1500.0, 1.2) * 100)
                                                            : -std::llround(rng.lognormal(400.0, 1.0) * 100);
    double rate = rng.lognormal(kRateMedian, kRateSigma);
    long long open = 0, close = period_;
    if (!rng.bernoulli(kFullWindowProb)) {
      open = static_cast<long long>(rng.uniform() * static_cast<double>(period_));
      close = open + static_cast<long long>(rng.uniform() * static_cast<double>(period_ - open)) + 1;
    }
    double kind = rng.uniform();
    if (kind < kSalariedProb) {
      bool last_business = rng.bernoulli(0.5);
      int fixed_day = 25 + static_cast<int>(rng.below(4));
      double base = rng.lognormal(kDescriptions[kSalary].median, kDescriptions[kSalary].sigma);
      for (int k = 0; k <= months_; ++k) {  // month `months_` may overlap a mid-month end
        sim::Civil c = month_shift(k);
        int day = last_business ? last_business_day(c.year, c.month) : fixed_day;
        long long z = sim::days_from_civil(c.year, c.month, day);
        while (!last_business && sim::weekday_from_days(z) >= 5) --z;  // weekend: the Friday before
        long long t = (z - start_day_) * kDay + 6 * 3600 + static_cast<long long>(rng.below(3600));
        long long cents = std::llround(base * std::exp(kSalaryMonthlySigma * rng.normal()) * 100);
        if (t >= open && t < close) events.push_back({t, kSalary, cents});
      }
    } else if (kind < kSalariedProb + kPensionerProb) {
      double base = rng.lognormal(kDescriptions[kPension].median, kDescriptions[kPension].sigma);
      long long cents = std::llround(base * 100);
      for (int k = 0; k <= months_; ++k) {  // month `months_` may overlap a mid-month end
        sim::Civil c = month_shift(k);
        long long z = sim::days_from_civil(c.year, c.month, first_business_day(c.year, c.month));
        long long t = (z - start_day_) * kDay + 6 * 3600 + static_cast<long long>(rng.below(3600));
        if (t >= open && t < close) events.push_back({t, kPension, cents});
      }
    }
    // Poisson events by thinning: candidates at the peak intensity, each kept with
    // probability intensity(t) / peak.
    const double peak = rate / kDay * kWeekdayMax * kHours.max;
    double t = static_cast<double>(open);
    while (true) {
      t += rng.exponential(peak);
      if (t >= static_cast<double>(close)) break;
      if (!rng.bernoulli(accept(static_cast<long long>(t)))) continue;
      int d = kChooser.pick(rng);
      events.push_back({static_cast<long long>(t), d, amount_cents(rng, d)});
    }
    if (events.empty()) {
      // Every account has at least one row: one event from the same time profile.
      long long s;
      do {
        s = open + static_cast<long long>(rng.uniform() * static_cast<double>(close - open));
      } while (!rng.bernoulli(accept(s)));
      int d = kChooser.pick(rng);
      events.push_back({s, d, amount_cents(rng, d)});
    }
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
    return balance;
  }

  long long start_seconds() const { return start_day_ * kDay; }

 private:
  double accept(long long t) const {
    long long day = start_day_ + t / kDay;
    int hour = static_cast<int>(t % kDay / 3600);
    return kWeekday[sim::weekday_from_days(day)] * kHours.h[hour] / (kWeekdayMax * kHours.max);
  }
  // The first day of the k-th month after the start month, with the start's day of month
  // kept for k == months (the period's end), clamped to the month's length.
  sim::Civil month_shift(int k) const {
    int m0 = start_.month - 1 + k;
    int y = start_.year + m0 / 12, m = m0 % 12 + 1;
    return {y, m, std::min(start_.day, sim::days_in_month(y, m))};
  }

  long long start_day_;
  sim::Civil start_;
  int months_;
  long long period_;
};

}  // namespace

const std::vector<BankDescription>& bank_descriptions() { return kDescriptions; }
const std::vector<std::string>& bank_flags() { return kFlags; }

double bank_mean_event_rate() { return kRateMedian * std::exp(0.5 * kRateSigma * kRateSigma); }

double bank_expected_daily_outflow(int weekday) {
  if (weekday < 0 || weekday > 6) throw Error("bank_expected_daily_outflow: weekday must be 0..6");
  double total = 0, out = 0;
  for (const auto& d : kDescriptions) {
    total += d.weight;
    if (d.sign < 0) out += d.weight * d.median * std::exp(0.5 * d.sigma * d.sigma);
  }
  return bank_mean_event_rate() * kWeekday[weekday] * out / total;
}

void simulate_bank(const BankSimOptions& o, const std::string& out_csv) {
  if (o.accounts < 1) throw Error("simulate bank: --accounts must be at least 1, got " + std::to_string(o.accounts));
  if (o.months < 1 || o.months > 1200)
    throw Error("simulate bank: --months must be in 1..1200, got " + std::to_string(o.months));
  long long start_day = sim::parse_date(o.start, "simulate bank: --start");
  AccountSimulator account(start_day, o.months);

  AtomicFile file(out_csv);
  sim::CsvOut out(file.temp_path());
  out.text(std::string("account_id,timestamp,amount,flag,description,initial_balance\n"));
  sim::Progress progress(o.progress, "simulate bank", o.accounts, "accounts");
  std::vector<Event> events;
  // Per-description "flag,description," text, written verbatim on each row.
  std::vector<std::string> middle;
  for (const auto& d : kDescriptions) middle.push_back(std::string(",") + d.flag + "," + d.name + ",");
  const long long t0 = account.start_seconds();
  for (long long id = 1; id <= o.accounts; ++id) {
    long long balance = account.run(o.seed, id, events);
    for (const Event& e : events) {
      out.integer(id);
      out.ch(',');
      out.timestamp(t0 + e.t);
      out.ch(',');
      out.cents(e.cents);
      out.text(middle[e.desc]);
      out.cents(balance);
      out.ch('\n');
    }
    progress.update(id);
  }
  out.close();
  file.commit();
}

}  // namespace doppel
