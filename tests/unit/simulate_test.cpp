// Simulators: format, ordering, determinism, and the documented generative process
// checked statistically on small files (the references are the catalogue parameters and
// the calendar, not the simulator's own code paths).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <tuple>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "doppel/config/atomic_file.hpp"
#include "doppel/error.hpp"
#include "doppel/simulate/simulate.hpp"

namespace {

using Row = std::vector<std::string>;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "doppel_sim_" + std::to_string(::getpid()) + "_" + name;
}

std::vector<Row> read_csv(const std::string& path, std::string* header) {
  std::ifstream in(path);
  std::string line;
  std::vector<Row> rows;
  std::getline(in, *header);
  while (std::getline(in, line)) {
    Row r;
    std::stringstream s(line);
    std::string f;
    while (std::getline(s, f, ',')) r.push_back(f);
    if (!line.empty() && line.back() == ',') r.push_back("");
    rows.push_back(r);
  }
  return rows;
}

// "-12.05" -> -1205, parsed as text so no floating point is involved.
long long cents_of(const std::string& s) {
  bool neg = s[0] == '-';
  std::string t = neg ? s.substr(1) : s;
  auto dot = t.find('.');
  long long v = std::stoll(t.substr(0, dot)) * 100 + std::stoll(t.substr(dot + 1));
  return neg ? -v : v;
}

// Days since 1970-01-01 of "YYYY-MM-DD..." via timegm, independent of the simulator's code.
long long day_number(const std::string& ts) {
  std::tm tm{};
  tm.tm_year = std::stoi(ts.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(ts.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(ts.substr(8, 2));
  return static_cast<long long>(timegm(&tm)) / 86400;
}
int weekday_of(const std::string& ts) { return static_cast<int>((day_number(ts) + 3) % 7); }  // 0 = Monday

struct BankFile {
  std::string header;
  std::vector<Row> rows;
};

BankFile bank(long long accounts, std::uint64_t seed = 11) {
  std::string path = temp_path("bank_" + std::to_string(accounts) + "_" + std::to_string(seed) + ".csv");
  doppel::BankSimOptions o;
  o.accounts = accounts;
  o.seed = seed;
  doppel::simulate_bank(o, path);
  BankFile f;
  f.rows = read_csv(path, &f.header);
  std::remove(path.c_str());
  return f;
}

const doppel::BankDescription* find_description(const std::string& name) {
  for (const auto& d : doppel::bank_descriptions())
    if (name == d.name) return &d;
  return nullptr;
}

}  // namespace

// ---- bank ------------------------------------------------------------------------------

TEST(SimulateBank, SameSeedSameBytesOtherSeedDiffers) {
  std::string a = temp_path("a.csv"), b = temp_path("b.csv"), c = temp_path("c.csv"), d = temp_path("d.csv");
  doppel::BankSimOptions o;
  o.accounts = 300;
  o.seed = 5;
  doppel::simulate_bank(o, a);
  doppel::simulate_bank(o, b);
  o.seed = 6;
  doppel::simulate_bank(o, c);
  o.seed = 5;
  o.accounts = 150;
  doppel::simulate_bank(o, d);
  std::string ta = doppel::read_file(a), tb = doppel::read_file(b), tc = doppel::read_file(c),
              td = doppel::read_file(d);
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta, tc);
  // Each account has its own stream: the first 150 accounts do not depend on the total.
  ASSERT_LT(td.size(), ta.size());
  EXPECT_EQ(ta.substr(0, td.size()), td);
  for (auto& p : {a, b, c, d}) std::remove(p.c_str());
}

TEST(SimulateBank, HeaderAndRowFormat) {
  BankFile f = bank(400);
  EXPECT_EQ(f.header, "account_id,timestamp,amount,flag,description,initial_balance");
  std::regex ts("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"), money("-?\\d+\\.\\d\\d"), id("[1-9]\\d*");
  std::set<std::string> flags(doppel::bank_flags().begin(), doppel::bank_flags().end());
  ASSERT_GT(f.rows.size(), 1000u);
  for (const Row& r : f.rows) {
    ASSERT_EQ(r.size(), 6u);
    ASSERT_TRUE(std::regex_match(r[0], id)) << r[0];
    ASSERT_TRUE(std::regex_match(r[1], ts)) << r[1];
    ASSERT_GE(r[1], "2019-01-01 00:00:00");
    ASSERT_LT(r[1], "2020-01-01 00:00:00");
    ASSERT_TRUE(std::regex_match(r[2], money)) << r[2];
    ASSERT_TRUE(std::regex_match(r[5], money)) << r[5];
    ASSERT_TRUE(flags.count(r[3])) << r[3];
    const auto* d = find_description(r[4]);
    ASSERT_NE(d, nullptr) << r[4];
    EXPECT_EQ(r[3], d->flag) << r[4];  // flags are tied to descriptions
    long long c = cents_of(r[2]);
    ASSERT_NE(c, 0);
    EXPECT_EQ(c > 0 ? 1 : -1, d->sign) << r[4] << " " << r[2];
  }
}

TEST(SimulateBank, GroupedByAccountAndSortedByTime) {
  BankFile f = bank(500);
  std::set<long long> seen;
  long long current = 0;
  std::string last;
  for (const Row& r : f.rows) {
    long long a = std::stoll(r[0]);
    if (a != current) {
      ASSERT_FALSE(seen.count(a)) << "account " << a << " appears in two blocks";
      ASSERT_EQ(a, current + 1) << "accounts are written in order 1..N";
      seen.insert(a);
      current = a;
    } else {
      ASSERT_LE(last, r[1]) << "account " << a;
    }
    last = r[1];
  }
  EXPECT_EQ(seen.size(), 500u);  // every account has at least one row
}

TEST(SimulateBank, FiveFlagsAndFortyFourDescriptions) {
  ASSERT_EQ(doppel::bank_flags().size(), 5u);
  ASSERT_EQ(doppel::bank_descriptions().size(), 44u);
  BankFile f = bank(3000);
  std::set<std::string> flags, descs;
  for (const Row& r : f.rows) {
    flags.insert(r[3]);
    descs.insert(r[4]);
  }
  EXPECT_EQ(flags.size(), 5u);
  EXPECT_EQ(descs.size(), 44u);
}

TEST(SimulateBank, BalancesFollowInitialBalancePlusAmounts) {
  BankFile f = bank(2000);
  std::map<std::string, long long> initial, balance;
  std::set<std::string> went_negative, start_negative;
  for (const Row& r : f.rows) {
    long long ib = cents_of(r[5]);
    auto it = initial.find(r[0]);
    if (it == initial.end()) {
      initial[r[0]] = ib;
      balance[r[0]] = ib;
      if (ib < 0) start_negative.insert(r[0]);
    } else {
      ASSERT_EQ(it->second, ib) << "initial_balance changes within account " << r[0];
    }
    long long before = balance[r[0]];
    balance[r[0]] += cents_of(r[2]);
    if (before >= 0 && balance[r[0]] < 0) went_negative.insert(r[0]);
  }
  // About 10 % of accounts start overdrawn; some others are driven below zero by spending.
  double frac = static_cast<double>(start_negative.size()) / initial.size();
  EXPECT_GT(frac, 0.06);
  EXPECT_LT(frac, 0.14);
  EXPECT_GT(went_negative.size(), 5u);
}

TEST(SimulateBank, MonthlySalaryPeaks) {
  BankFile f = bank(3000);
  std::map<std::string, double> inflow, salary;  // per calendar day
  for (const Row& r : f.rows) {
    std::string day = r[1].substr(0, 10);
    double a = cents_of(r[2]) / 100.0;
    if (a > 0) inflow[day] += a;
    if (r[4] == "salary") salary[day] += a;
    inflow.emplace(day, 0.0);
  }
  double on = 0, off = 0;
  int n_on = 0, n_off = 0;
  for (const auto& kv : inflow) {
    if (salary.count(kv.first)) on += kv.second, ++n_on;
    else off += kv.second, ++n_off;
  }
  ASSERT_GT(n_on, 12);
  ASSERT_GT(n_off, 200);
  EXPECT_GT(on / n_on, 20 * off / n_off);
  // Salaries are paid on the 25th or later (or the Friday before): each month's largest
  // inflow day lies in its last week.
  std::map<std::string, std::pair<double, int>> peak;  // month -> (inflow, day of month)
  for (const auto& kv : inflow) {
    auto& p = peak[kv.first.substr(0, 7)];
    if (kv.second > p.first) p = {kv.second, std::stoi(kv.first.substr(8, 2))};
  }
  EXPECT_EQ(peak.size(), 12u);
  for (const auto& kv : peak) EXPECT_GE(kv.second.second, 22) << kv.first;
}

TEST(SimulateBank, SequenceLengthsVary) {
  BankFile f = bank(5000);
  std::map<std::string, int> n;
  for (const Row& r : f.rows) ++n[r[0]];
  int longer = 0, short_ = 0;
  for (const auto& kv : n) {
    longer += kv.second > 100;
    short_ += kv.second <= 3;
  }
  double mean = static_cast<double>(f.rows.size()) / n.size();
  EXPECT_GT(mean, 18.0);
  EXPECT_LT(mean, 22.0);
  EXPECT_GT(longer, 3);
  EXPECT_GT(short_, 50);
  EXPECT_LT(short_, 1000);
}

TEST(SimulateBank, AmountsAndFrequenciesFollowTheCatalogue) {
  BankFile f = bank(5000);
  std::map<std::string, std::vector<double>> logs;
  long long poisson = 0;
  for (const Row& r : f.rows) {
    logs[r[4]].push_back(std::log(std::fabs(cents_of(r[2]) / 100.0)));
    if (r[4] != "salary" && r[4] != "pension") ++poisson;
  }
  double total_weight = 0;
  for (const auto& d : doppel::bank_descriptions()) total_weight += d.weight;
  for (const auto& d : doppel::bank_descriptions()) {
    const auto& v = logs[d.name];
    ASSERT_FALSE(v.empty()) << d.name;
    if (d.weight > 0) {  // frequency among Poisson events: within 5 binomial sds
      double p = d.weight / total_weight;
      double sd = std::sqrt(poisson * p * (1 - p));
      EXPECT_NEAR(static_cast<double>(v.size()), poisson * p, 5 * sd) << d.name;
    }
    if (v.size() < 200 || d.weight == 0) continue;  // salaries vary per account and month
    double m = 0;
    for (double x : v) m += x;
    m /= v.size();
    // log-amount is normal(log median, sigma); cent rounding is negligible above 2.00
    EXPECT_NEAR(m, std::log(d.median), 5 * d.sigma / std::sqrt(static_cast<double>(v.size())) + 0.01)
        << d.name;
  }
}

TEST(SimulateBank, OutflowMatchesDocumentedExpectation) {
  BankFile f = bank(5000);
  std::vector<double> by_weekday(7, 0.0);
  for (const Row& r : f.rows) {
    long long c = cents_of(r[2]);
    if (c < 0) by_weekday[weekday_of(r[1])] += -c / 100.0;
  }
  // 2019 has 53 Tuesdays (it starts on one) and 52 of every other weekday. A fraction
  // 0.9 + 0.1 * 1/4 of account-days is active (docs/simulators.md, "active window").
  const double active = 0.9 + 0.1 * 0.25;
  double total_expected = 0, total_seen = 0;
  for (int w = 0; w < 7; ++w) {
    double days = w == 1 ? 53 : 52;
    double expected = 5000 * active * days * doppel::bank_expected_daily_outflow(w);
    total_expected += expected;
    total_seen += by_weekday[w];
    EXPECT_NEAR(by_weekday[w] / expected, 1.0, 0.15) << "weekday " << w;
  }
  EXPECT_NEAR(total_seen / total_expected, 1.0, 0.06);
  EXPECT_LT(doppel::bank_expected_daily_outflow(6), doppel::bank_expected_daily_outflow(4));
}

TEST(SimulateBank, BadOptionsFailWithoutLeavingAFile) {
  std::string path = temp_path("bad.csv");
  doppel::BankSimOptions o;
  o.accounts = 10;
  o.start = "2019-13-01";
  try {
    doppel::simulate_bank(o, path);
    FAIL() << "expected an error";
  } catch (const doppel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--start"), std::string::npos) << e.what();
  }
  o.start = "2019-01-01";
  EXPECT_THROW(doppel::simulate_bank(o, "/nonexistent-dir/x/bank.csv"), doppel::Error);
  std::ifstream in(path);
  EXPECT_FALSE(in.good());
}

// ---- traffic ---------------------------------------------------------------------------

namespace {

struct TrafficFile {
  std::string header;
  std::vector<Row> rows;
};

TrafficFile traffic(long long sensors, long long days, std::uint64_t seed = 3) {
  std::string path = temp_path("traffic_" + std::to_string(sensors) + "_" + std::to_string(days) + ".csv");
  doppel::TrafficSimOptions o;
  o.sensors = sensors;
  o.days = days;
  o.seed = seed;
  doppel::simulate_traffic(o, path);
  TrafficFile f;
  f.rows = read_csv(path, &f.header);
  std::remove(path.c_str());
  return f;
}

enum Col { kSensor, kRoad, kLanes, kTime, kTemp, kRain, kSnow, kClouds, kMain, kHoliday, kVolume };

int hour_of(const Row& r) { return std::stoi(r[kTime].substr(11, 2)); }

}  // namespace

TEST(SimulateTraffic, SameSeedSameBytesOtherSeedDiffers) {
  std::string a = temp_path("ta.csv"), b = temp_path("tb.csv"), c = temp_path("tc.csv");
  doppel::TrafficSimOptions o;
  o.sensors = 4;
  o.days = 20;
  o.seed = 9;
  doppel::simulate_traffic(o, a);
  doppel::simulate_traffic(o, b);
  o.seed = 10;
  doppel::simulate_traffic(o, c);
  EXPECT_EQ(doppel::read_file(a), doppel::read_file(b));
  EXPECT_NE(doppel::read_file(a), doppel::read_file(c));
  for (auto& p : {a, b, c}) std::remove(p.c_str());
}

TEST(SimulateTraffic, FormatAndEveryHourPresentPerSensor) {
  TrafficFile f = traffic(5, 40);
  EXPECT_EQ(f.header,
            "sensor_id,road_type,lanes,date_time,temp,rain_1h,snow_1h,clouds_all,weather_main,holiday,"
            "traffic_volume");
  ASSERT_EQ(f.rows.size(), 5u * 40 * 24);
  std::regex num("-?\\d+\\.\\d\\d"), integer("\\d+");
  std::set<std::string> roads = {"interstate", "highway", "arterial"};
  std::map<std::string, std::string> weather_at;  // date_time -> weather columns: shared
  for (size_t i = 0; i < f.rows.size(); ++i) {
    const Row& r = f.rows[i];
    ASSERT_EQ(r.size(), 11u);
    size_t sensor = i / (40 * 24), hour = i % (40 * 24);
    ASSERT_EQ(r[kSensor], std::to_string(sensor + 1));
    // Hour k of the sensor's block is start + k hours: no gaps, sorted.
    ASSERT_EQ(day_number(r[kTime]) * 24 + hour_of(r), day_number("2016-01-01") * 24 + static_cast<long long>(hour));
    ASSERT_EQ(r[kTime].substr(13), ":00:00");
    ASSERT_TRUE(roads.count(r[kRoad])) << r[kRoad];
    int lanes = std::stoi(r[kLanes]);
    ASSERT_GE(lanes, 2);
    ASSERT_LE(lanes, 6);
    if (hour > 0) {  // static attributes constant within a sensor
      ASSERT_EQ(r[kRoad], f.rows[i - 1][kRoad]);
      ASSERT_EQ(r[kLanes], f.rows[i - 1][kLanes]);
    }
    ASSERT_TRUE(std::regex_match(r[kTemp], num));
    ASSERT_TRUE(std::regex_match(r[kRain], num));
    ASSERT_TRUE(std::regex_match(r[kSnow], num));
    ASSERT_TRUE(std::regex_match(r[kClouds], integer));
    ASSERT_TRUE(std::regex_match(r[kVolume], integer)) << r[kVolume];
    int clouds = std::stoi(r[kClouds]);
    ASSERT_LE(clouds, 100);
    double rain = std::stod(r[kRain]), snow = std::stod(r[kSnow]);
    const std::string& m = r[kMain];
    bool wet_main = m == "Rain" || m == "Drizzle" || m == "Thunderstorm";
    EXPECT_EQ(wet_main, rain > 0) << r[kTime];
    EXPECT_EQ(m == "Snow", snow > 0) << r[kTime];
    if (m == "Clear") EXPECT_LT(clouds, 20);
    EXPECT_EQ(r[kHoliday] != "None",
              !doppel::us_federal_holiday(std::stoi(r[kTime].substr(0, 4)), std::stoi(r[kTime].substr(5, 2)),
                                          std::stoi(r[kTime].substr(8, 2)))
                   .empty());
    std::string w = r[kTemp] + "," + r[kRain] + "," + r[kSnow] + "," + r[kClouds] + "," + m + "," + r[kHoliday];
    auto it = weather_at.emplace(r[kTime], w).first;
    ASSERT_EQ(it->second, w) << "weather differs between sensors at " << r[kTime];
  }
}

TEST(SimulateTraffic, DailyAndWeeklyCycles) {
  TrafficFile f = traffic(3, 140);
  // per sensor: mean volume at (day kind, hour), day kind 0 = normal weekday, 1 = weekend
  std::map<std::tuple<std::string, int, int>, std::pair<double, int>> cell;
  for (const Row& r : f.rows) {
    if (r[kHoliday] != "None") continue;
    int kind = weekday_of(r[kTime]) >= 5;
    auto& c = cell[{r[kSensor], kind, hour_of(r)}];
    c.first += std::stod(r[kVolume]);
    c.second += 1;
  }
  auto mean = [&](const std::string& s, int kind, int h) {
    auto& c = cell[{s, kind, h}];
    return c.first / c.second;
  };
  for (std::string s : {"1", "2", "3"}) {
    EXPECT_GT(mean(s, 0, 8), 5 * mean(s, 0, 3)) << "sensor " << s;
    EXPECT_LT(mean(s, 1, 8), 0.6 * mean(s, 0, 8)) << "weekend morning peak weaker, sensor " << s;
    EXPECT_GT(mean(s, 1, 13), mean(s, 1, 8)) << "weekend midday hump, sensor " << s;
    EXPECT_GT(mean(s, 0, 17), mean(s, 0, 12)) << "weekday evening peak, sensor " << s;
  }
}

TEST(SimulateTraffic, HolidaysLowerThanNormalWeekdays) {
  TrafficFile f = traffic(2, 366);  // 2016: ten federal holidays, most on weekdays
  double hol = 0, normal = 0;
  int n_hol = 0, n_normal = 0;
  std::set<std::string> holiday_days;
  for (const Row& r : f.rows) {
    if (weekday_of(r[kTime]) >= 5) continue;
    if (r[kHoliday] != "None") {
      hol += std::stod(r[kVolume]), ++n_hol;
      holiday_days.insert(r[kTime].substr(0, 10));
    } else {
      normal += std::stod(r[kVolume]), ++n_normal;
    }
  }
  EXPECT_GE(holiday_days.size(), 8u);
  ASSERT_GT(n_hol, 0);
  EXPECT_LT(hol / n_hol, 0.85 * normal / n_normal);
}

TEST(SimulateTraffic, RainReducesVolume) {
  TrafficFile f = traffic(3, 365);
  // Compare each rainy hour to the dry mean of its own (sensor, day kind, hour) cell, so
  // the daily cycle does not confound the comparison.
  std::map<std::tuple<std::string, int, int>, std::pair<double, int>> dry;
  auto key = [](const Row& r) {
    int kind = r[kHoliday] != "None" || weekday_of(r[kTime]) >= 5;
    return std::make_tuple(r[kSensor], kind, hour_of(r));
  };
  for (const Row& r : f.rows)
    if (std::stod(r[kRain]) == 0 && std::stod(r[kSnow]) == 0) {
      auto& c = dry[key(r)];
      c.first += std::stod(r[kVolume]);
      c.second += 1;
    }
  double ratio = 0;
  int n = 0;
  for (const Row& r : f.rows)
    if (std::stod(r[kRain]) > 0) {
      auto& c = dry[key(r)];
      ratio += std::stod(r[kVolume]) / (c.first / c.second);
      ++n;
    }
  ASSERT_GT(n, 100);
  EXPECT_LT(ratio / n, 0.95);
}

TEST(SimulateTraffic, FederalHolidayRules) {
  EXPECT_EQ(doppel::us_federal_holiday(2016, 1, 1), "New Years Day");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 1, 18), "Martin Luther King Jr Day");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 2, 15), "Washingtons Birthday");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 5, 30), "Memorial Day");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 7, 4), "Independence Day");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 9, 5), "Labor Day");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 10, 10), "Columbus Day");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 11, 11), "Veterans Day");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 11, 24), "Thanksgiving Day");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 12, 25), "Christmas Day");
  EXPECT_EQ(doppel::us_federal_holiday(2019, 9, 2), "Labor Day");
  EXPECT_EQ(doppel::us_federal_holiday(2019, 11, 28), "Thanksgiving Day");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 11, 25), "");
  EXPECT_EQ(doppel::us_federal_holiday(2016, 5, 23), "");
}

TEST(SimulateCli, HelpListsBothKindsAndBadKindIsUsageError) {
  std::string bin = DOPPEL_BINARY;
  std::string out = temp_path("help.txt");
  ASSERT_EQ(std::system((bin + " simulate --help > " + out).c_str()), 0);
  std::string help = doppel::read_file(out);
  EXPECT_NE(help.find("bank"), std::string::npos);
  EXPECT_NE(help.find("traffic"), std::string::npos);
  ASSERT_EQ(std::system((bin + " simulate bank --help > " + out).c_str()), 0);
  EXPECT_NE(doppel::read_file(out).find("--accounts"), std::string::npos);
  EXPECT_EQ(WEXITSTATUS(std::system((bin + " simulate boat 2>/dev/null").c_str())), 2);
  EXPECT_EQ(WEXITSTATUS(std::system((bin + " simulate bank 2>/dev/null").c_str())), 2);  // --out missing
  std::string csv = temp_path("cli.csv");
  ASSERT_EQ(std::system((bin + " simulate traffic --sensors 2 --days 2 --quiet --out " + csv).c_str()), 0);
  std::string text = doppel::read_file(csv);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + 2 * 2 * 24);
  for (auto& p : {out, csv}) std::remove(p.c_str());
}
