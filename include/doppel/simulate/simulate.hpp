// Simulated data sets with a known generative process (docs/simulators.md states every
// distribution), so evaluation can compare synthetic data against the truth.
// Both simulators stream row by row (memory does not grow with the row count), write
// through doppel::AtomicFile, and give identical bytes for the same options and seed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace doppel {

// ---- bank transactions -------------------------------------------------------------
// CSV: account_id,timestamp,amount,flag,description,initial_balance
struct BankSimOptions {
  long long accounts = 5000;        // number of accounts (each gets at least one row)
  std::uint64_t seed = 1;
  std::string start = "2019-01-01";  // first day of the period, YYYY-MM-DD, UTC
  int months = 12;                   // period length in calendar months
  bool progress = false;             // print progress to stderr every ~10 %
};

void simulate_bank(const BankSimOptions& options, const std::string& out_csv);

// One entry of the description catalogue: the flag it is tied to, the sign of its
// amounts, its log-normal magnitude (median, sigma of the log) and its relative weight
// among the Poisson events (0 for the scheduled incomes salary and pension).
struct BankDescription {
  const char* name;
  const char* flag;
  int sign;  // +1 money in, -1 money out
  double median;
  double sigma;
  double weight;
};

const std::vector<BankDescription>& bank_descriptions();  // exactly 44
const std::vector<std::string>& bank_flags();              // exactly 5

// Documented truth: expected money out (a positive amount) per active account on a day
// with the given weekday (0 = Monday ... 6 = Sunday); scheduled incomes excluded.
double bank_expected_daily_outflow(int weekday);
// Expected number of Poisson (non-scheduled) events per active account-day, over a week.
double bank_mean_event_rate();

// ---- multi-sensor hourly traffic ---------------------------------------------------
// CSV: sensor_id,road_type,lanes,date_time,temp,rain_1h,snow_1h,clouds_all,weather_main,
//      holiday,traffic_volume
struct TrafficSimOptions {
  long long sensors = 100;
  long long days = 365;
  std::uint64_t seed = 1;
  std::string start = "2016-01-01";  // first day, YYYY-MM-DD; hours 00:00..23:00 of each day
  bool progress = false;
};

void simulate_traffic(const TrafficSimOptions& options, const std::string& out_csv);

// The US federal holiday (by its fixed rule, not moved to an observed day) on a civil
// date, or "" when none. Names contain no commas.
std::string us_federal_holiday(int year, int month, int day);

}  // namespace doppel
