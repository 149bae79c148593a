// The C API's card handle, version, strings, ahead-of-time loading and metadata by index.
#include "runtime/api/card.h"

#include <chrono>
#include <cstring>

#include "runtime/aot/artefact.h"
#include "runtime/io/cell_parse.h"

#ifndef HEALTHC_VERSION_STRING
#error "HEALTHC_VERSION_STRING is set by runtime/CMakeLists.txt"
#endif

namespace healthc::api {

hc_card* wrap(std::shared_ptr<const Scorecard> card) {
  auto h = std::make_unique<hc_card>();
  const ir::Program& p = card->program();
  h->schema = card->schema();
  using C = rt::OutputColumn;
  h->head = {{C::Key, -1, "key"},     {C::Segment, -1, "segment"}, {C::Score, -1, "score"},
             {C::Band, -1, "band"},   {C::Color, -1, "color"},     {C::Label, -1, "label"},
             {C::Override, -1, "override"}};
  for (size_t m = 0; m < p.measures.size(); ++m) {
    const int32_t i = static_cast<int32_t>(m);
    h->measure.push_back({{C::Value, i, "value"}, {C::MeasureScore, i, "score"}, {C::Weight, i, "weight"}});
  }
  h->card = std::move(card);
  return h.release();
}

char* dup_string(std::string_view s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (!out) return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

bool parse_as_of(const char* as_of, double& days) {
  if (!as_of) {
    const auto now = std::chrono::system_clock::now();
    days = static_cast<double>(std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count());
    return true;
  }
  const std::optional<int64_t> d = rt::parse_date(as_of);
  if (!d) return false;
  days = static_cast<double>(*d);
  return true;
}

namespace {

const ir::Program* program(const hc_card* c) { return c ? &c->card->program() : nullptr; }

template <typename Vec>
const char* name_at(const hc_card* c, Vec ir::Program::*list, size_t i) {
  const ir::Program* p = program(c);
  if (!p || i >= (p->*list).size()) return nullptr;
  return (p->*list)[i].name.c_str();
}

template <typename Vec>
const char* title_at(const hc_card* c, Vec ir::Program::*list, size_t i) {
  const ir::Program* p = program(c);
  if (!p || i >= (p->*list).size()) return nullptr;
  return (p->*list)[i].title.c_str();
}

template <typename Vec>
size_t count_of(const hc_card* c, Vec ir::Program::*list) {
  const ir::Program* p = program(c);
  return p ? (p->*list).size() : 0;
}

}  // namespace
}  // namespace healthc::api

using namespace healthc;
using healthc::api::count_of;
using healthc::api::name_at;
using healthc::api::program;
using healthc::api::title_at;

extern "C" {

const char* hc_version(void) { return HEALTHC_VERSION_STRING; }

void hc_free(void* p) { std::free(p); }

hc_card* hc_load(const char* path, char** error) {
  if (error) *error = nullptr;
  auto fail = [&](std::string_view why) -> hc_card* {
    if (error) *error = api::dup_string(why);
    return nullptr;
  };
  if (!path) return fail("hc_load: the path is null");
  try {
    std::string why;
    std::shared_ptr<const Scorecard> card = aot::load(path, why);
    if (!card) return fail(why.empty() ? "the artefact cannot be loaded" : why);
    return api::wrap(std::move(card));
  } catch (const std::bad_alloc&) {
    return fail("out of memory");
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what());
  } catch (...) {
    return fail("internal error");
  }
}

void hc_card_free(hc_card* card) { delete card; }

const char* hc_card_title(const hc_card* c) { return c ? program(c)->title.c_str() : nullptr; }
size_t hc_field_count(const hc_card* c) { return count_of(c, &ir::Program::fields); }
const char* hc_field_name(const hc_card* c, size_t i) { return name_at(c, &ir::Program::fields, i); }
int hc_field_type(const hc_card* c, size_t i) {
  if (i >= hc_field_count(c)) return -1;
  // hc_field_kind values are ir::FieldType's, in the same order (static_asserts below).
  return static_cast<int>(program(c)->fields[i].type);
}
int hc_field_optional(const hc_card* c, size_t i) {
  return i < hc_field_count(c) ? static_cast<int>(program(c)->fields[i].optional) : -1;
}
size_t hc_field_member_count(const hc_card* c, size_t i) {
  return i < hc_field_count(c) ? program(c)->fields[i].members.size() : 0;
}
const char* hc_field_member(const hc_card* c, size_t i, size_t m) {
  if (m >= hc_field_member_count(c, i)) return nullptr;
  return program(c)->fields[i].members[m].c_str();
}
const char* hc_field_member_spelling(const hc_card* c, size_t i, size_t m) {
  if (m >= hc_field_member_count(c, i)) return nullptr;
  const ir::Field& f = program(c)->fields[i];
  return m < f.spellings.size() ? f.spellings[m].c_str() : f.members[m].c_str();
}
int hc_key_field(const hc_card* c) { return c ? program(c)->key_field : -1; }
size_t hc_measure_count(const hc_card* c) { return count_of(c, &ir::Program::measures); }
const char* hc_measure_name(const hc_card* c, size_t i) { return name_at(c, &ir::Program::measures, i); }
const char* hc_measure_title(const hc_card* c, size_t i) { return title_at(c, &ir::Program::measures, i); }
size_t hc_band_count(const hc_card* c) { return count_of(c, &ir::Program::bands); }
const char* hc_band_name(const hc_card* c, size_t i) { return name_at(c, &ir::Program::bands, i); }
const char* hc_band_title(const hc_card* c, size_t i) { return title_at(c, &ir::Program::bands, i); }
const char* hc_band_color(const hc_card* c, size_t i) {
  return i < hc_band_count(c) ? program(c)->bands[i].color.c_str() : nullptr;
}
int hc_band_from(const hc_card* c, size_t i) { return i < hc_band_count(c) ? program(c)->bands[i].from : -1; }
int hc_band_to(const hc_card* c, size_t i) { return i < hc_band_count(c) ? program(c)->bands[i].to : -1; }
size_t hc_segment_count(const hc_card* c) { return count_of(c, &ir::Program::segments); }
const char* hc_segment_name(const hc_card* c, size_t i) { return name_at(c, &ir::Program::segments, i); }
const char* hc_segment_title(const hc_card* c, size_t i) { return title_at(c, &ir::Program::segments, i); }
size_t hc_label_count(const hc_card* c) { return count_of(c, &ir::Program::labels); }
const char* hc_label_name(const hc_card* c, size_t i) { return name_at(c, &ir::Program::labels, i); }
const char* hc_label_title(const hc_card* c, size_t i) { return title_at(c, &ir::Program::labels, i); }
size_t hc_override_count(const hc_card* c) { return count_of(c, &ir::Program::overrides); }
const char* hc_override_name(const hc_card* c, size_t i) { return name_at(c, &ir::Program::overrides, i); }
const char* hc_override_title(const hc_card* c, size_t i) { return title_at(c, &ir::Program::overrides, i); }

}  // extern "C"

static_assert(HC_FIELD_NUMBER == static_cast<int>(ir::FieldType::Number));
static_assert(HC_FIELD_BOOL == static_cast<int>(ir::FieldType::Bool));
static_assert(HC_FIELD_TEXT == static_cast<int>(ir::FieldType::Text));
static_assert(HC_FIELD_DATE == static_cast<int>(ir::FieldType::Date));
static_assert(HC_FIELD_ENUM == static_cast<int>(ir::FieldType::Enum));
