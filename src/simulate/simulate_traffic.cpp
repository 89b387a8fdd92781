// The multi-sensor traffic simulator. Every constant here is stated in docs/simulators.md;
// change both together.
//
// The weather (one region) and the calendar are shared by all sensors, so they are
// generated once per hour and kept with their CSV text: memory grows with --days
// (about 100 bytes an hour), not with the number of sensors or rows.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "doppel/config/atomic_file.hpp"
#include "doppel/error.hpp"
#include "doppel/simulate/simulate.hpp"
#include "simulate_common.hpp"

namespace doppel {
namespace {

constexpr double kPi = 3.141592653589793;

// Fraction of a sensor's peak volume by hour of day.
constexpr double kWeekdayProfile[24] = {0.10, 0.06, 0.05, 0.05, 0.09, 0.30, 0.75, 1.00,
                                        0.92, 0.72, 0.64, 0.68, 0.72, 0.72, 0.78, 0.90,
                                        0.98, 0.95, 0.75, 0.55, 0.45, 0.40, 0.30, 0.18};
constexpr double kWeekendProfile[24] = {0.18, 0.13, 0.10, 0.06, 0.05, 0.07, 0.12, 0.20,
                                        0.30, 0.42, 0.52, 0.60, 0.64, 0.65, 0.64, 0.62,
                                        0.58, 0.52, 0.46, 0.40, 0.34, 0.30, 0.25, 0.18};
// Day-of-week factor, Monday first; Saturday and Sunday use the weekend profile.
constexpr double kDayFactor[7] = {0.97, 1.00, 1.00, 1.00, 1.03, 1.00, 0.85};
constexpr double kHolidayFactor = 0.85;  // weekend profile, like a Sunday

// Per-lane peak volume (vehicles per hour) by road type.
struct RoadType {
  const char* name;
  double probability;
  int min_lanes, max_lanes;
  double per_lane_peak;
};
constexpr RoadType kRoads[3] = {{"interstate", 0.30, 4, 6, 1100.0},
                                {"highway", 0.35, 2, 4, 750.0},
                                {"arterial", 0.35, 2, 3, 420.0}};
constexpr double kUtilisationSigma = 0.20;
constexpr double kNoiseAr = 0.7;
constexpr double kNoiseSd = 0.10;  // stationary sd of the log noise

// Weather.
constexpr double kTempMean = 280.0, kTempSeasonAmp = 16.0, kTempDailyAmp = 5.0;
constexpr double kTempAnomalyAr = 0.98, kTempAnomalyStep = 0.6;
constexpr double kWetAr = 0.95;
constexpr double kPrecipThreshold = 1.2;

struct Hour {
  std::string text;   // "date_time,temp,rain_1h,snow_1h,clouds_all,weather_main,holiday,"
  double multiplier;  // calendar x season x weather factor shared by all sensors
};

std::vector<Hour> make_hours(long long start_day, long long days, std::uint64_t seed) {
  sim::Rng rng(sim::mix_seed(seed, 0xC0FFEEULL));  // weather stream, separate from sensors
  std::vector<Hour> hours;
  hours.reserve(static_cast<std::size_t>(days * 24));
  double anomaly = 3.0 * rng.normal();
  double wet = rng.normal();
  const double wet_step = std::sqrt(1.0 - kWetAr * kWetAr);
  char buf[160];
  for (long long d = 0; d < days; ++d) {
    long long day = start_day + d;
    sim::Civil c = sim::civil_from_days(day);
    int dow = sim::weekday_from_days(day);
    double doy = static_cast<double>(day - sim::days_from_civil(c.year, 1, 1));
    std::string holiday = us_federal_holiday(c.year, c.month, c.day);
    bool weekend_like = dow >= 5 || !holiday.empty();
    double day_factor = holiday.empty() ? kDayFactor[dow] : kHolidayFactor;
    for (int h = 0; h < 24; ++h) {
      anomaly = kTempAnomalyAr * anomaly + kTempAnomalyStep * rng.normal();
      wet = kWetAr * wet + wet_step * rng.normal();
      double burst = rng.normal();
      double t = doy + h / 24.0;
      double temp = kTempMean - kTempSeasonAmp * std::cos(2 * kPi * (t - 20.0) / 365.25) +
                    kTempDailyAmp * std::cos(2 * kPi * (h - 15) / 24.0) + anomaly;
      long long temp_c = std::llround(temp * 100);
      int clouds = static_cast<int>(std::min(100.0, std::max(0.0, std::round(50.0 + 35.0 * wet))));
      long long rain_c = 0, snow_c = 0;
      if (wet > kPrecipThreshold) {
        double p = 0.25 + 1.5 * (wet - kPrecipThreshold) * std::exp(0.4 * burst);
        if (temp_c >= 27315) rain_c = std::llround(p * 100);
        else snow_c = std::llround(p * 100);
      }
      const char* main;
      if (rain_c > 0) main = rain_c >= 400 && temp_c >= 28815 ? "Thunderstorm" : rain_c < 50 ? "Drizzle" : "Rain";
      else if (snow_c > 0) main = "Snow";
      else if (clouds >= 85 && h < 9) main = "Mist";
      else if (clouds < 20) main = "Clear";
      else main = "Clouds";

      double weather = 1.0;
      if (rain_c > 0) weather *= 0.94 * std::exp(-0.04 * std::min(rain_c / 100.0, 20.0));
      if (snow_c > 0) weather *= 0.85 * std::exp(-0.25 * std::min(snow_c / 100.0, 5.0));
      if (main[0] == 'M') weather *= 0.97;
      if (temp_c < 25315) weather *= 0.95;
      double season = 1.0 + 0.06 * std::sin(2 * kPi * (t - 105.0) / 365.25);
      double profile = weekend_like ? kWeekendProfile[h] : kWeekdayProfile[h];

      char stamp[19];
      sim::format_timestamp((day * 24 + h) * 3600LL, stamp);
      auto dec = [](long long v, char* out) {  // two decimals
        return std::sprintf(out, "%s%lld.%02lld", v < 0 ? "-" : "", std::llabs(v) / 100, std::llabs(v) % 100);
      };
      char tb[32], rb[32], sb[32];
      dec(temp_c, tb);
      dec(rain_c, rb);
      dec(snow_c, sb);
      int n = std::snprintf(buf, sizeof buf, "%.19s,%s,%s,%s,%d,%s,%s,", stamp, tb, rb, sb, clouds, main,
                            holiday.empty() ? "None" : holiday.c_str());
      hours.push_back({std::string(buf, static_cast<std::size_t>(n)), profile * day_factor * season * weather});
    }
  }
  return hours;
}

// n-th (1-based) given weekday of a month; n = -1 for the last.
int nth_weekday(int y, int m, int weekday, int n) {
  if (n > 0) {
    int first = sim::weekday_from_days(sim::days_from_civil(y, m, 1));
    return 1 + (weekday - first + 7) % 7 + 7 * (n - 1);
  }
  int last = sim::days_in_month(y, m);
  int wl = sim::weekday_from_days(sim::days_from_civil(y, m, last));
  return last - (wl - weekday + 7) % 7;
}

}  // namespace

std::string us_federal_holiday(int y, int m, int d) {
  constexpr int kMon = 0, kThu = 3;
  if (m == 1 && d == 1) return "New Years Day";
  if (m == 1 && d == nth_weekday(y, 1, kMon, 3)) return "Martin Luther King Jr Day";
  if (m == 2 && d == nth_weekday(y, 2, kMon, 3)) return "Washingtons Birthday";
  if (m == 5 && d == nth_weekday(y, 5, kMon, -1)) return "Memorial Day";
  if (m == 7 && d == 4) return "Independence Day";
  if (m == 9 && d == nth_weekday(y, 9, kMon, 1)) return "Labor Day";
  if (m == 10 && d == nth_weekday(y, 10, kMon, 2)) return "Columbus Day";
  if (m == 11 && d == 11) return "Veterans Day";
  if (m == 11 && d == nth_weekday(y, 11, kThu, 4)) return "Thanksgiving Day";
  if (m == 12 && d == 25) return "Christmas Day";
  return "";
}

void simulate_traffic(const TrafficSimOptions& o, const std::string& out_csv) {
  if (o.sensors < 1) throw Error("simulate traffic: --sensors must be at least 1, got " + std::to_string(o.sensors));
  if (o.days < 1 || o.days > 365LL * 200)
    throw Error("simulate traffic: --days must be in 1..73000, got " + std::to_string(o.days));
  long long start_day = sim::parse_date(o.start, "simulate traffic: --start");
  std::vector<Hour> hours = make_hours(start_day, o.days, o.seed);

  AtomicFile file(out_csv);
  sim::CsvOut out(file.temp_path());
  out.text(std::string(
      "sensor_id,road_type,lanes,date_time,temp,rain_1h,snow_1h,clouds_all,weather_main,holiday,traffic_volume\n"));
  sim::Progress progress(o.progress, "simulate traffic", o.sensors, "sensors");
  const double noise_step = kNoiseSd * std::sqrt(1.0 - kNoiseAr * kNoiseAr);
  for (long long id = 1; id <= o.sensors; ++id) {
    sim::Rng rng(sim::mix_seed(o.seed, static_cast<std::uint64_t>(id)));
    double u = rng.uniform();
    int r = u < kRoads[0].probability ? 0 : u < kRoads[0].probability + kRoads[1].probability ? 1 : 2;
    const RoadType& road = kRoads[r];
    int lanes = road.min_lanes + static_cast<int>(rng.below(static_cast<std::uint64_t>(road.max_lanes - road.min_lanes + 1)));
    double base = road.per_lane_peak * lanes * rng.lognormal(1.0, kUtilisationSigma);
    std::string prefix = std::to_string(id) + "," + road.name + "," + std::to_string(lanes) + ",";
    double noise = kNoiseSd * rng.normal();
    for (const Hour& h : hours) {
      noise = kNoiseAr * noise + noise_step * rng.normal();
      out.text(prefix);
      out.text(h.text);
      out.integer(std::llround(base * h.multiplier * std::exp(noise)));
      out.ch('\n');
    }
    progress.update(id);
  }
  out.close();
  file.commit();
}

}  // namespace doppel
