// The numbers that the categories of a calendar attribute stand for (`@start_hour`: 0-23,
// `@start_dayofweek`: 0-6 from Monday, `@start_month`: 1-12), for code that places steps on
// the clock (the calendar profile of evaluate, the critic's clock of the model).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "doppel/data/schema.hpp"

namespace doppel {

// Index of the categorical attribute derived from `source` ("@start_hour", ...), or -1.
int calendar_attribute(const Schema& schema, const std::string& source);

// One number per category, in one-hot order; throws Error naming the attribute and the first
// label that is not a whole number in [0, domain).
std::vector<int64_t> calendar_category_numbers(const ColumnSchema& column, int64_t domain);

}  // namespace doppel
