// Cell grammars of the data formats: numbers, bools, dates, enum members, and the reasons a
// row is rejected when a cell is none of these.
#include "runtime/io/cell_parse.h"

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "runtime/io/utf8.h"

namespace healthc::rt {
namespace {

// Longest cell text quoted inside a reason; beyond it the cell is cut with "...".
constexpr size_t kMaxQuotedCell = 60;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

enum class NumberCheck { Ok, NotANumber, OutOfRange };

NumberCheck check_number(std::string_view cell, double& out) {
  const char* p = cell.data();
  const char* end = p + cell.size();
  const char* start = p;
  // fast_float (like std::from_chars) takes '-' but not '+'; the spec allows both.
  if (p != end && (*p == '+' || *p == '-')) {
    if (*p == '+') start = p + 1;
    ++p;
  }
  // Only a digit or '.' may follow the sign: this is what keeps out NaN, inf and "+-1",
  // which fast_float would otherwise take.
  if (p == end || !(is_digit(*p) || *p == '.')) return NumberCheck::NotANumber;
  // Most cells are small integers: up to 15 digits are exact in a double, so they need no
  // general decimal conversion.
  if (end - p <= 15) {
    uint64_t n = 0;
    const char* d = p;
    while (d < end && is_digit(*d)) n = n * 10 + static_cast<uint64_t>(*d++ - '0');
    if (d == end) {
      out = *cell.data() == '-' ? -static_cast<double>(n) : static_cast<double>(n);
      return NumberCheck::Ok;
    }
  }
  double v = 0;
  auto [ptr, ec] = fast_float::from_chars(start, end, v, fast_float::chars_format::general);
  if (ec != std::errc() || ptr != end) return NumberCheck::NotANumber;
  // fast_float 3.x reports overflow as an infinite value rather than an error.
  if (!std::isfinite(v)) return NumberCheck::OutOfRange;
  out = v;
  return NumberCheck::Ok;
}

// YYYY-MM-DD in shape, whatever the numbers.
bool date_shaped(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!is_digit(s[i])) return false;
  }
  return true;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && is_leap(y)) ? 29 : kDays[m - 1];
}

// The texts exports write for a missing value: rejected as data unless `--null` names them,
// so their reason says how.
bool looks_missing(std::string_view cell) {
  static constexpr std::string_view kWords[] = {"na", "n/a", "null", "nan", "none", "-"};
  for (std::string_view w : kWords) {
    if (w.size() != cell.size()) continue;
    bool same = true;
    for (size_t i = 0; i < w.size() && same; ++i)
      same = (cell[i] >= 'A' && cell[i] <= 'Z' ? cell[i] - 'A' + 'a' : cell[i]) == w[i];
    if (same) return true;
  }
  return false;
}

void set_reason(std::string& reason, const FieldSpec& field, std::string_view cell,
                std::string_view what) {
  reason.assign("field `");
  reason.append(field.name);
  reason.append("`: ");
  reason.append(quote_cell(cell));
  reason.push_back(' ');
  reason.append(what);
  if (const std::string_view t = trim_spaces(cell); looks_missing(t)) {
    reason.append(" (pass --null ");
    reason.append(t);
    reason.append(" if it means missing)");
  }
}

}  // namespace

std::string quote_cell(std::string_view cell) {
  std::string out = "`";
  std::string_view shown = cell;
  if (cell.size() > kMaxQuotedCell) {
    size_t cut = kMaxQuotedCell;
    // Back up to a UTF-8 lead byte so the message stays valid UTF-8.
    while (cut > 0 && (static_cast<unsigned char>(cell[cut]) & 0xC0) == 0x80) --cut;
    shown = cell.substr(0, cut);
  }
  // A reason goes to the terminal and into JSON reports: bytes that are not UTF-8 show as
  // U+FFFD rather than make those invalid.
  if (is_valid_utf8(shown)) {
    out.append(shown);
  } else {
    append_repaired_utf8(out, shown);
  }
  if (shown.size() < cell.size()) out.append("...");
  out.push_back('`');
  return out;
}

std::optional<double> parse_number(std::string_view cell) {
  double v = 0;
  if (check_number(cell, v) != NumberCheck::Ok) return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(std::string_view cell) {
  if (cell.empty() || cell.size() > 5) return std::nullopt;
  char low[5];
  for (size_t i = 0; i < cell.size(); ++i) low[i] = ascii_lower(cell[i]);
  std::string_view s(low, cell.size());
  if (s == "true" || s == "yes" || s == "1") return true;
  if (s == "false" || s == "no" || s == "0") return false;
  return std::nullopt;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm: shift the year to start in March so the leap day is last.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> parse_date(std::string_view s) {
  if (!date_shaped(s)) return std::nullopt;
  auto num = [&](size_t at, size_t n) {
    unsigned v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + static_cast<unsigned>(s[i] - '0');
    return v;
  };
  const int64_t y = num(0, 4);
  const unsigned m = num(5, 2), d = num(8, 2);
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return days_from_civil(y, m, d);
}

std::optional<uint32_t> parse_enum(const FieldSpec& field, std::string_view cell) {
  // A spelled member is matched exactly (`Two year ` is not `Two year`); an unspelled one
  // trimmed, so a card that spells one member still reads its v1 data.
  const std::string_view trimmed = trim_spaces(cell);
  for (size_t i = 0; i < field.members.size(); ++i) {
    const bool exact = i < field.exact.size() && field.exact[i] != 0;
    if (field.members[i] == (exact ? cell : trimmed)) return static_cast<uint32_t>(i);
  }
  return std::nullopt;
}

CellStatus parse_cell(const FieldSpec& field, std::string_view cell, double& value,
                      std::string& reason) {
  const std::string_view trimmed = field.type == FieldType::Text ? cell : trim_spaces(cell);
  if (trimmed.empty()) {
    if (field.optional) return CellStatus::Missing;
    reason.assign("required field `");
    reason.append(field.name);
    reason.append("` is empty");
    return CellStatus::Rejected;
  }
  // With spelled members the reason shows the cell untrimmed: its spaces may be the fault.
  const std::string_view s = field.exact_members ? cell : trimmed;
  switch (field.type) {
    case FieldType::Text:
      return CellStatus::Present;
    case FieldType::Number:
      switch (check_number(s, value)) {
        case NumberCheck::Ok:
          return CellStatus::Present;
        case NumberCheck::NotANumber:
          set_reason(reason, field, s, "is not a number");
          return CellStatus::Rejected;
        case NumberCheck::OutOfRange:
          set_reason(reason, field, s, "is out of range for a number");
          return CellStatus::Rejected;
      }
      break;
    case FieldType::Bool:
      if (auto b = parse_bool(s)) {
        value = *b ? 1.0 : 0.0;
        return CellStatus::Present;
      }
      set_reason(reason, field, s, "is not a bool (true/false, yes/no, 1/0)");
      return CellStatus::Rejected;
    case FieldType::Date:
      if (auto d = parse_date(s)) {
        value = static_cast<double>(*d);
        return CellStatus::Present;
      }
      // Tell a misspelt date from an impossible one: the fix differs.
      if (date_shaped(s)) {
        set_reason(reason, field, s, "is not a valid calendar date");
      } else {
        set_reason(reason, field, s, "is not a date (expected YYYY-MM-DD)");
      }
      return CellStatus::Rejected;
    case FieldType::Enum: {
      if (auto i = parse_enum(field, cell)) {
        value = static_cast<double>(*i);
        return CellStatus::Present;
      }
      std::string what = "is not one of ";
      // Spellings may hold spaces and commas: each in quotes then, so the list reads.
      const char* q = field.exact_members ? "\"" : "";
      for (size_t i = 0; i < field.members.size(); ++i) {
        if (i) what.append(", ");
        what.append(q).append(field.members[i]).append(q);
      }
      set_reason(reason, field, s, what);
      return CellStatus::Rejected;
    }
  }
  // Unreachable for a valid FieldType; a corrupt one is still not a crash.
  set_reason(reason, field, s, "has a field type the reader does not know");
  return CellStatus::Rejected;
}

CellValue parse_cell(const FieldSpec& field, std::string_view cell) {
  CellValue out;
  out.status = parse_cell(field, cell, out.value, out.reason);
  return out;
}

std::string date_text(int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

}  // namespace healthc::rt
