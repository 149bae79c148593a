// The readers' shared set-up: names to slots, and a header's columns to fields.
#include "runtime/io/row_builder.h"

#include <algorithm>

#include "runtime/io/cell_parse.h"

namespace healthc::rt {

std::unordered_map<std::string_view, ColumnSlot> slot_map(const Schema& schema) {
  std::unordered_map<std::string_view, ColumnSlot> out;
  for (size_t f = 0; f < schema.fields.size(); ++f) out[schema.fields[f].name].field = static_cast<int32_t>(f);
  for (size_t e = 0; e < schema.extra_columns.size(); ++e)
    out[schema.extra_columns[e]].extra = static_cast<int32_t>(e);
  return out;
}

std::string map_columns(const Schema& schema, const std::vector<std::string>& names, ColumnMapping& out) {
  std::unordered_map<std::string_view, size_t> column_of;
  for (size_t c = 0; c < names.size(); ++c) {
    // A column without a name (spreadsheets export `a,b,,` for trailing empty columns)
    // names nothing: its cells are ignored like those of any column that is not a field.
    if (names[c].empty()) continue;
    if (!column_of.emplace(names[c], c).second) {
      return "column " + quote_cell(names[c]) + " appears more than once in the header";
    }
  }
  out.columns = names.size();
  out.field_column.assign(schema.fields.size(), 0);
  out.extra_column.assign(schema.extra_columns.size(), -1);
  std::vector<std::string> absent;
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    auto it = column_of.find(schema.fields[f].name);
    if (it == column_of.end()) {
      absent.push_back(schema.fields[f].name);
    } else {
      out.field_column[f] = it->second;
    }
  }
  if (!absent.empty()) {
    std::string msg = absent.size() == 1 ? "the header has no column for field " : "the header has no columns for fields ";
    for (size_t i = 0; i < absent.size(); ++i) {
      if (i) msg += ", ";
      msg += "`" + absent[i] + "`";
    }
    // The usual cause is a file read with the wrong delimiter or as the wrong format: say
    // which option fixes it (a TSV not named .tsv, JSON Lines not named .jsonl).
    const bool tabs = std::any_of(names.begin(), names.end(),
                                  [](const std::string& n) { return n.find('\t') != std::string::npos; });
    const std::string first = names.empty() ? std::string() : names[0];
    if (first.rfind("scorecard", 0) == 0 || first.rfind("#", 0) == 0 || first.rfind("//", 0) == 0)
      return "the data file looks like a scorecard (it starts with `" + first.substr(0, 20) +
             "`): give the card first, then the data";
    if (tabs) msg = "the header looks tab-separated: pass --delimiter tab (" + msg + ")";
    else if (!names.empty() && !names[0].empty() && names[0][0] == '{')
      msg = "the input looks like JSON Lines: pass --input-format jsonl (" + msg + ")";
    return msg;
  }
  for (size_t e = 0; e < schema.extra_columns.size(); ++e) {
    auto it = column_of.find(schema.extra_columns[e]);
    if (it != column_of.end()) out.extra_column[e] = static_cast<int64_t>(it->second);
  }
  return {};
}

namespace {
template <class T>
void compact(std::vector<T>& column, const std::vector<size_t>& drop) {
  if (column.empty()) return;  // a text field's numbers, a number field's texts
  size_t out = drop.front(), d = 0;
  for (size_t r = drop.front(); r < column.size(); ++r) {
    if (d < drop.size() && drop[d] == r) {
      ++d;
      continue;
    }
    column[out++] = column[r];
  }
  column.resize(out);
}
}  // namespace

void reserve_rows(const Schema& schema, ColumnBlock& block, size_t rows) {
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    if (schema.fields[f].type == FieldType::Text) block.text[f].reserve(rows);
    else block.num[f].reserve(rows);
    block.valid[f].reserve(rows);
  }
  for (auto& e : block.extra) e.reserve(rows);
  block.line.reserve(rows);
}

void remove_rows(ColumnBlock& block, const std::vector<size_t>& drop) {
  if (drop.empty()) return;
  for (auto& c : block.num) compact(c, drop);
  for (auto& c : block.valid) compact(c, drop);
  for (auto& c : block.text) compact(c, drop);
  for (auto& c : block.extra) compact(c, drop);
  compact(block.line, drop);
  block.rows -= drop.size();
}

}  // namespace healthc::rt
