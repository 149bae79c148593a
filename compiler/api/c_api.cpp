// The compiling half of the C API (libhealthc.so): options, hc_compile and its diagnostics,
// rendered by compiler/diag exactly as `healthc check` prints them.
#include <healthc/healthc.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/api/compile.h"
#include "compiler/diag/render.h"
#include "runtime/api/card.h"

struct hc_options {
  healthc::CompileOptions options;
};

struct hc_diagnostics {
  size_t count = 0, errors = 0;
  std::string json, text;
};

namespace healthc::api {
namespace {

// The front end's diagnostics, one JSON object and one text block each (as `check` prints).
// Text in memory is always "readable": there is no E0001 here.
void render(const FrontendResult& front, hc_diagnostics& d) {
  for (const Diagnostic& diag : front.diags.items()) {
    d.json += render_json(*front.file, diag) + "\n";
    d.text += render_text(*front.file, diag, RenderOptions{false});
  }
  d.count = front.diags.items().size();
  d.errors = front.diags.count(Severity::Error);
}

// A failure that is not a card error (an unknown param, code generation), or a note the CLI
// prints on stderr (a card past the compile budget is scored by the evaluator, a damaged cache
// entry was discarded), in the same shapes but without a code: not in the diagnostic table.
void message(const std::string& name, const char* severity, const std::string& text, hc_diagnostics& d) {
  nlohmann::json j{{"file", name}, {"severity", severity}, {"message", text}};
  d.json += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  d.text += name + ": " + severity + ": " + text + "\n";
  ++d.count;
  if (std::string_view(severity) == "error") ++d.errors;
}
void usage_error(const std::string& name, const std::string& text, hc_diagnostics& d) {
  message(name, "error", text, d);
}

hc_card* compile(const char* text, size_t len, const char* file_name, const hc_options* opts,
                 hc_diagnostics** diags) {
  const std::string name = file_name ? file_name : "<input>";
  CompileOptions options = opts ? opts->options : CompileOptions{};
  // Both variants now: hc_score_json scores with detail, hc_score_columns perhaps without, and
  // a service wants every code generation error, and the compile time, here rather than on a
  // first call.
  options.eager_detail = true;
  CompileOutcome out = compile_scorecard_text(name, std::string(text ? text : "", len), options);
  if (out.scorecard && options.engine == Engine::Jit) {
    const NativeCode& basic = out.scorecard->prepare(0);
    for (const std::string& n : basic.notes)
      if (std::find(out.notes.begin(), out.notes.end(), n) == out.notes.end()) out.notes.push_back(n);
    if (!basic.fn && !basic.use_evaluator) {
      out.error = "code generation failed: " + basic.error;
      out.scorecard.reset();
    }
  }
  auto d = std::make_unique<hc_diagnostics>();
  if (out.front) {
    render(*out.front, *d);
  } else if (out.scorecard && out.scorecard->source()) {
    render(*out.scorecard->source(), *d);  // warnings of a card that compiled
  }
  if (!out.error.empty()) usage_error(name, out.error, *d);
  for (const std::string& n : out.notes) message(name, "note", n, *d);
  hc_card* card = out.scorecard ? wrap(std::move(out.scorecard)) : nullptr;
  if (diags) *diags = d.release();
  return card;
}

}  // namespace
}  // namespace healthc::api

extern "C" {

hc_options* hc_options_new(void) {
  return healthc::api::guarded_ptr([] { return new hc_options; });
}

void hc_options_free(hc_options* opts) { delete opts; }

int hc_options_set_param(hc_options* opts, const char* name, double value) {
  // As `--param NAME=VALUE`, which takes only a number: NaN and infinities are not one.
  if (!opts || !name || !*name || !std::isfinite(value)) return HC_EINVAL;
  return healthc::api::guarded([&] {
    auto& params = opts->options.params;
    for (auto& p : params) {
      if (p.first == name) {
        p.second = value;
        return HC_OK;
      }
    }
    params.emplace_back(name, value);
    return HC_OK;
  });
}

int hc_options_set_engine(hc_options* opts, int engine) {
  if (!opts || (engine != HC_ENGINE_JIT && engine != HC_ENGINE_EVALUATOR)) return HC_EINVAL;
  opts->options.engine = engine == HC_ENGINE_JIT ? healthc::Engine::Jit : healthc::Engine::Evaluator;
  return HC_OK;
}

int hc_options_set_cache(hc_options* opts, int enabled, const char* dir) {
  if (!opts) return HC_EINVAL;
  return healthc::api::guarded([&] {
    opts->options.use_cache = enabled != 0;
    opts->options.cache_dir = dir ? dir : "";
    return HC_OK;
  });
}

hc_card* hc_compile(const char* text, size_t len, const char* file_name, const hc_options* opts,
                    hc_diagnostics** diags) {
  if (diags) *diags = nullptr;
  hc_card* card = nullptr;
  const char* failure = nullptr;  // why there is no card when `compile` could not say it
  if (!text && len > 0) {
    failure = "the card text is null";
  } else {
    try {
      card = healthc::api::compile(text, len, file_name, opts, diags);
    } catch (const std::bad_alloc&) {
      failure = "out of memory";
    } catch (...) {
      failure = "internal error in healthc (please report it)";
    }
  }
  // The header's promise: `*diags` is set whenever `diags` is given (null only when even the
  // diagnostics cannot be allocated).
  if (failure && diags && !*diags) {
    try {
      auto d = std::make_unique<hc_diagnostics>();
      healthc::api::usage_error(file_name ? file_name : "<input>", failure, *d);
      *diags = d.release();
    } catch (...) {
    }
  }
  return card;
}

size_t hc_diagnostics_count(const hc_diagnostics* d) { return d ? d->count : 0; }
size_t hc_diagnostics_error_count(const hc_diagnostics* d) { return d ? d->errors : 0; }
const char* hc_diagnostics_json(const hc_diagnostics* d) { return d ? d->json.c_str() : nullptr; }
const char* hc_diagnostics_text(const hc_diagnostics* d) { return d ? d->text.c_str() : nullptr; }
void hc_diagnostics_free(hc_diagnostics* d) { delete d; }

}  // extern "C"
