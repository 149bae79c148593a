// Cell formatting shared by the store readers' renderers: CSV quoting, shortest numbers
// (empty where missing, as `healthc score` prints them), JSON nulls for missing values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/history/store.h"

namespace healthc::driver::cells {

using history::name_at;  // "?" out of range
void csv(std::string& out, std::string_view s);
std::string number(double v);  // "" for NaN
std::string score(int32_t s);  // "" for -1
void json_number(std::string& out, double v);  // null for NaN and ±inf (JSON has neither)
void json_score(std::string& out, int32_t s);
void json_string_or_null(std::string& out, std::string_view s);

}  // namespace healthc::driver::cells
