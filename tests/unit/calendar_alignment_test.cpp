// The feature critic's clock (model.critic_calendar): each window lands at its start hour,
// zeros elsewhere, gradients flow back to the steps, and missing attributes are named.
#include <gtest/gtest.h>

#include "doppel/error.hpp"
#include "doppel/model/calendar_alignment.hpp"

using namespace doppel;

namespace {

// Hour categories in a shuffled label order, so the test catches an index taken for the hour.
Schema clock_schema() {
  Schema s;
  s.kind = "windows";
  s.step_seconds = 3600;
  s.max_len = 30;
  ColumnSchema other, hour, day;
  other.name = other.source = "weather";
  other.encoding = Encoding::Categorical;
  other.categories = {"rain", "sun"};
  hour.name = "hour", hour.source = "@start_hour", hour.encoding = Encoding::Categorical;
  for (int k = 0; k < 24; ++k) hour.categories.push_back(std::to_string((k * 7) % 24));
  day.name = "day", day.source = "@start_dayofweek", day.encoding = Encoding::Categorical;
  for (int k = 0; k < 7; ++k) day.categories.push_back(std::to_string(6 - k));
  s.attributes = {other, hour, day};
  return s;
}

torch::Tensor one_hot_attributes(const std::vector<std::array<int64_t, 3>>& rows) {
  auto a = torch::zeros({int64_t(rows.size()), 2 + 24 + 7 + 2});  // + 2 min/max columns
  for (size_t i = 0; i < rows.size(); ++i) {
    a[int64_t(i)][rows[i][0]] = 1;
    a[int64_t(i)][2 + rows[i][1]] = 1;
    a[int64_t(i)][26 + rows[i][2]] = 1;
  }
  return a;
}

}  // namespace

TEST(CalendarAlignment, PlacesEachWindowAtItsHourOfTheWeek) {
  const Schema s = clock_schema();
  // rows: {weather, hour category, day category}; hour label (k * 7) % 24, day label 6 - k
  auto attrs = one_hot_attributes({{0, 0, 6}, {1, 5, 0}, {0, 23, 3}});
  const int64_t starts[] = {0 * 24 + 0, 6 * 24 + (5 * 7) % 24, 3 * 24 + (23 * 7) % 24};
  const int64_t L = 30, W = 3;
  auto steps = torch::randn({3, L, W}).requires_grad_(true);
  auto week = CalendarAlignment::from(s, "week");
  ASSERT_EQ(week.placed_length(L), L + 167);
  auto placed = week.place(steps, attrs);
  ASSERT_EQ(placed.sizes(), (std::vector<int64_t>{3, L + 167, W}));
  for (int64_t b = 0; b < 3; ++b) {
    EXPECT_TRUE(torch::equal(placed[b].narrow(0, starts[b], L), steps[b])) << b;
    auto rest = placed[b].detach().clone();
    rest.narrow(0, starts[b], L).zero_();
    EXPECT_EQ(rest.abs().max().item<float>(), 0.0f) << "zeros elsewhere, " << b;
  }
  placed.sum().backward();
  EXPECT_TRUE(torch::equal(steps.grad(), torch::ones_like(steps)));

  auto day = CalendarAlignment::from(s, "day");
  ASSERT_EQ(day.placed_length(L), L + 23);
  auto by_day = day.place(steps.detach(), attrs);
  for (int64_t b = 0; b < 3; ++b) EXPECT_TRUE(torch::equal(by_day[b].narrow(0, starts[b] % 24, L), steps[b].detach()));

  // Probabilities instead of one-hots: the largest entry is the category.
  auto soft = attrs * 0.6 + 0.01;
  EXPECT_TRUE(torch::equal(week.place(steps.detach(), soft), placed.detach()));

  auto off = CalendarAlignment::from(s, "none");
  EXPECT_FALSE(off.on());
  EXPECT_TRUE(torch::equal(off.place(steps.detach(), attrs), steps.detach()));
}

TEST(CalendarAlignment, NamesWhatIsMissing) {
  auto message = [](const Schema& s, const std::string& mode) {
    try {
      CalendarAlignment::from(s, mode);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  Schema s = clock_schema();
  EXPECT_NE(message(s, "month").find("\"none\", \"day\" or \"week\""), std::string::npos);
  Schema no_day = s;
  no_day.attributes.pop_back();
  EXPECT_NE(message(no_day, "week").find("@start_dayofweek"), std::string::npos);
  EXPECT_EQ(message(no_day, "day"), "");
  Schema no_hour = s;
  no_hour.attributes[1].source = "hour";
  EXPECT_NE(message(no_hour, "day").find("@start_hour"), std::string::npos);
  Schema daily = s;
  daily.step_seconds = 86400;
  EXPECT_NE(message(daily, "day").find("divides an hour"), std::string::npos);
  Schema bad_label = s;
  bad_label.attributes[1].categories[3] = "noon";
  EXPECT_NE(message(bad_label, "day").find("'noon'"), std::string::npos);
}
