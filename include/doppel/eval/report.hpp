// report.md of an evaluation: a metrics table in Markdown with the plots embedded.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "doppel/eval/plots.hpp"

namespace doppel::eval {

std::string report_markdown(const nlohmann::json& metrics, const std::vector<Plot>& plots);

// A metric formatted for tables: 4 significant decimals, "n/a" for null/absent,
// "skipped (reason)" for {"skipped": reason}.
std::string format_metric(const nlohmann::json& value);

}  // namespace doppel::eval
