// A thin header-only C++17 wrapper over the C API (healthc.h): RAII handles, std::string
// results, and exceptions (healthc::Error) in this header only; the library never throws.
#pragma once

#include <healthc/healthc.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace healthc {

// A failed call: its message and the C API's return code (or 0 when there is none).
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, int code = 0) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

namespace detail {
struct FreeString {
  void operator()(char* p) const { hc_free(p); }
};
inline std::string take(char* p) {
  std::unique_ptr<char, FreeString> owned(p);
  return p ? std::string(p) : std::string();
}
inline std::string str(const char* p) { return p ? std::string(p) : std::string(); }
}  // namespace detail

class Options {
 public:
  Options() : p_(hc_options_new()) {
    if (!p_) throw Error("out of memory", HC_ENOMEM);
  }
  Options& param(const std::string& name, double value) {
    check(hc_options_set_param(p_.get(), name.c_str(), value));
    return *this;
  }
  Options& engine(hc_engine e) {
    check(hc_options_set_engine(p_.get(), e));
    return *this;
  }
  Options& cache(bool enabled, const std::string& dir = {}) {
    check(hc_options_set_cache(p_.get(), enabled ? 1 : 0, dir.c_str()));
    return *this;
  }
  const hc_options* get() const { return p_.get(); }

 private:
  static void check(int rc) {
    if (rc != HC_OK) throw Error("invalid option", rc);
  }
  struct Free {
    void operator()(hc_options* p) const { hc_options_free(p); }
  };
  std::unique_ptr<hc_options, Free> p_;
};

class Diagnostics {
 public:
  explicit Diagnostics(hc_diagnostics* d = nullptr) : p_(d) {}
  size_t count() const { return hc_diagnostics_count(p_.get()); }
  size_t errors() const { return hc_diagnostics_error_count(p_.get()); }
  std::string json() const { return detail::str(hc_diagnostics_json(p_.get())); }
  std::string text() const { return detail::str(hc_diagnostics_text(p_.get())); }

 private:
  struct Free {
    void operator()(hc_diagnostics* p) const { hc_diagnostics_free(p); }
  };
  std::unique_ptr<hc_diagnostics, Free> p_;
};

// A card that failed to compile: the error carries its diagnostics (text as `healthc check`).
class CompileError : public Error {
 public:
  explicit CompileError(Diagnostics d) : Error(d.text().empty() ? "compilation failed" : d.text()), diags_(std::move(d)) {}
  const Diagnostics& diagnostics() const { return diags_; }

 private:
  Diagnostics diags_;
};

// The result of scoring one account as JSON: rejected() with the reason inside json.
struct JsonScore {
  bool rejected = false;
  std::string json;
};

class Card {
 public:
  explicit Card(hc_card* c) : p_(c) {}
  // Compiles `text`; throws CompileError with the diagnostics.
  static Card compile(std::string_view text, const std::string& file_name = "<input>", const Options* opts = nullptr) {
    hc_diagnostics* d = nullptr;
    hc_card* c = hc_compile(text.data(), text.size(), file_name.c_str(), opts ? opts->get() : nullptr, &d);
    Diagnostics diags(d);
    if (!c) throw CompileError(std::move(diags));
    return Card(c);
  }
  // Loads an ahead-of-time artefact; throws Error with the reason.
  static Card load(const std::string& path) {
    char* error = nullptr;
    hc_card* c = hc_load(path.c_str(), &error);
    std::string why = detail::take(error);
    if (!c) throw Error(why);
    return Card(c);
  }

  const hc_card* get() const { return p_.get(); }
  std::string title() const { return detail::str(hc_card_title(get())); }
  size_t field_count() const { return hc_field_count(get()); }
  std::string field_name(size_t i) const { return detail::str(hc_field_name(get(), i)); }
  int key_field() const { return hc_key_field(get()); }
  size_t measure_count() const { return hc_measure_count(get()); }
  std::string measure_name(size_t i) const { return detail::str(hc_measure_name(get(), i)); }
  size_t band_count() const { return hc_band_count(get()); }
  std::string band_name(size_t i) const { return detail::str(hc_band_name(get(), i)); }

  // Scores one account (a JSON object); `as_of` empty is today. Throws Error on bad arguments.
  JsonScore score_json(std::string_view account, const std::string& as_of = {}) const {
    char* out = nullptr;
    const int rc = hc_score_json(get(), account.data(), account.size(), as_of.empty() ? nullptr : as_of.c_str(), &out);
    std::string json = detail::take(out);
    if (rc != HC_OK && rc != HC_REJECTED) throw Error("hc_score_json failed", rc);
    return JsonScore{rc == HC_REJECTED, std::move(json)};
  }
  // The columnar call; throws Error unless it returns HC_OK.
  void score_columns(const hc_batch_in& in, const hc_batch_out& out) const {
    const int rc = hc_score_columns(get(), &in, &out);
    if (rc != HC_OK) throw Error("hc_score_columns failed", rc);
  }

 private:
  struct Free {
    void operator()(hc_card* p) const { hc_card_free(p); }
  };
  std::unique_ptr<hc_card, Free> p_;
};

}  // namespace healthc
