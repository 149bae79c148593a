// Compiling a card: front end, params, lowering, and the JIT installed as the card's code
// generator (the eager variant compiled here so code generation errors surface now).
#include "compiler/api/compile.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "compiler/ir/lower.h"
#include "compiler/ir/verify.h"
#include "compiler/jit/cached_code.h"
#include "compiler/jit/plugin_api.h"
#include "compiler/syntax/parse.h"
#include "compiler/jit/program_cache.h"

namespace healthc {

NativeCompiler jit_compiler(const CompileOptions& options) {
  const jit::CacheOptions cache{options.use_cache, options.cache_dir};
  return [cache](const ir::Program& program, int variant) {
    const jit::Variant v = variant ? jit::Variant::Detail : jit::Variant::Basic;
    // A cached card needs no LLVM: only a miss loads the JIT (the plugin, for the CLI).
    jit::CachedLookup cached = jit::load_cached(program, v, cache);
    if (cached.code) return std::move(*cached.code);
    NativeCode code;
    std::string error;
    const jit::Api* jit = jit::api(error);
    if (!jit) code.error = error;  // never the evaluator instead: the user asked for the JIT
    else code = jit->compile(program, v, cache);
    // The JIT looks the entry up again and may say the same thing about the cache: once is enough.
    std::vector<std::string> notes;
    for (auto& n : cached.notes)
      if (std::find(code.notes.begin(), code.notes.end(), n) == code.notes.end()) notes.push_back(std::move(n));
    code.notes.insert(code.notes.begin(), notes.begin(), notes.end());
    return code;
  };
}

namespace {

// The lowered program's Scorecard, with the JIT installed (and the eager variant prepared) or
// the evaluator, as `options` say.
CompileOutcome make_scorecard(ir::Program program, std::unique_ptr<FrontendResult> front, const CompileOptions& options) {
  CompileOutcome out;
  NativeCompiler compiler = options.engine == Engine::Jit ? jit_compiler(options) : NativeCompiler{};
  std::shared_ptr<Scorecard> card = Scorecard::make(
      std::move(program), std::shared_ptr<const FrontendResult>(std::move(front)), options.engine, std::move(compiler));
  if (options.engine == Engine::Jit) {
    const NativeCode& code = card->prepare(options.eager_detail ? 1 : 0);
    out.notes = code.notes;
    if (!code.fn && !code.use_evaluator) {
      out.error = "code generation failed: " + code.error;
      return out;
    }
  }
  out.scorecard = std::move(card);
  return out;
}

CompileOutcome build(std::unique_ptr<FrontendResult> front, const CompileOptions& options,
                     const std::string& program_key = {}) {
  CompileOutcome out;
  if (!front->ok()) {
    out.front = std::move(front);
    return out;
  }
  std::vector<double> params = ir::default_params(front->card);
  // A named pair, not a structured binding: clang 14 cannot capture a binding in a lambda.
  for (const auto& param : options.params) {
    const auto& name = param.first;
    auto it = std::find_if(front->card.params.begin(), front->card.params.end(),
                           [&](const ast::Param& p) { return p.name.text == name; });
    if (it == front->card.params.end()) {
      out.error = fmt::format("the scorecard has no param `{}`", name);
      return out;
    }
    params[it - front->card.params.begin()] = param.second;
  }
  ir::Program program = ir::lower(front->card, front->checked.checked, params);
  // Every lowered program is verified before a backend reads it. A problem is a lowering bug,
  // reported as an error (a library never aborts or prints).
  if (const std::vector<std::string> problems = ir::verify(program); !problems.empty()) {
    out.error = fmt::format("internal error in healthc (please report it): the lowered program breaks an IR rule: {}",
                            problems.front());
    return out;
  }
  // Stored only for a program that verified; what a later hit needs is the program alone.
  if (!program_key.empty() && options.use_cache) jit::store_program(jit::CacheOptions{true, options.cache_dir}, program_key, program);
  return make_scorecard(std::move(program), std::move(front), options);
}

// The card's bytes as run_frontend reads them; false when it cannot (run_frontend says why).
bool read_card(const std::string& path, std::string& text) {
  std::error_code ec;
  if (path == "-" || std::filesystem::is_directory(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

CompileOutcome compile_scorecard(const std::string& path, const CompileOptions& options) {
  return build(std::make_unique<FrontendResult>(run_frontend(path)), options);
}

CompileOutcome compile_scorecard_text(const std::string& name, const std::string& text, const CompileOptions& options) {
  return build(std::make_unique<FrontendResult>(run_frontend_text(name, text)), options);
}

CompileOutcome compile_scorecard_cached(const std::string& path, const CompileOptions& options, std::string& card_text) {
  card_text.clear();
  if (!read_card(path, card_text)) {
    CompileOutcome out = compile_scorecard(path, options);
    if (out.scorecard && out.scorecard->source() && out.scorecard->source()->file)
      card_text = out.scorecard->source()->file->text();
    return out;
  }
  const std::string key = options.use_cache ? jit::program_key(card_text, options.params, syntax::parser_identity()) : std::string();
  if (std::optional<ir::Program> cached = jit::load_program(jit::CacheOptions{options.use_cache, options.cache_dir}, key))
    return make_scorecard(std::move(*cached), nullptr, options);
  return build(std::make_unique<FrontendResult>(run_frontend_text(path, card_text)), options, key);
}

}  // namespace healthc
