// The compiling half of the C API (libhealthc.so): options, hc_compile and its diagnostics,
// rendered by compiler/diag exactly as `healthc check` prints them.
#include <healthc/healthc.h>

#include <nlohmann/json.hpp>
#include <string>
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

// A failure that is not a card error (an unknown param, code generation), in the same shapes
// but without a code: it is not in the diagnostic table.
void usage_error(const std::string& name, const std::string& message, hc_diagnostics& d) {
  nlohmann::json j{{"file", name}, {"severity", "error"}, {"message", message}};
  d.json += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  d.text += name + ": error: " + message + "\n";
  ++d.count;
  ++d.errors;
}

hc_card* compile(const char* text, size_t len, const char* file_name, const hc_options* opts,
                 hc_diagnostics** diags) {
  const std::string name = file_name ? file_name : "<input>";
  CompileOptions options = opts ? opts->options : CompileOptions{};
  CompileOutcome out = compile_scorecard_text(name, std::string(text ? text : "", len), options);
  auto d = std::make_unique<hc_diagnostics>();
  if (out.front) {
    render(*out.front, *d);
  } else if (out.scorecard && out.scorecard->source()) {
    render(*out.scorecard->source(), *d);  // warnings of a card that compiled
  }
  if (!out.error.empty()) usage_error(name, out.error, *d);
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
  if (!opts || !name || !*name) return HC_EINVAL;
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
  if (!text && len > 0) return nullptr;
  return healthc::api::guarded_ptr([&] { return healthc::api::compile(text, len, file_name, opts, diags); });
}

size_t hc_diagnostics_count(const hc_diagnostics* d) { return d ? d->count : 0; }
size_t hc_diagnostics_error_count(const hc_diagnostics* d) { return d ? d->errors : 0; }
const char* hc_diagnostics_json(const hc_diagnostics* d) { return d ? d->json.c_str() : nullptr; }
const char* hc_diagnostics_text(const hc_diagnostics* d) { return d ? d->text.c_str() : nullptr; }
void hc_diagnostics_free(hc_diagnostics* d) { delete d; }

}  // extern "C"
