// Reading and writing alone (issue 18 items 1 and 2), one thread, input in memory: the B2B
// accounts through the CSV reader as `healthc score` reads them (spans cut, parsed, settled for
// repeated keys), the same accounts as JSON Lines, and scored blocks formatted as CSV
// (--columns and the full default output). Rates are bytes of input (or output) per CPU second.
// The `_mapped` variants read the same bytes from a temporary file (in the page cache), which
// the readers map as they map `healthc score`'s data file; the others stream from memory.
//   healthc_read_bench [--benchmark_filter=...]      HEALTHC_READ_ROWS (default 200,000)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "compiler/api/compile.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/record_reader.h"
#include "runtime/output.h"

namespace healthc::bench {
namespace {

size_t rows() {
  if (const char* env = std::getenv("HEALTHC_READ_ROWS"); env && std::atoll(env) > 0)
    return static_cast<size_t>(std::atoll(env));
  return 200000;
}

struct Data {
  std::shared_ptr<const Scorecard> card;
  std::string csv, jsonl, error;
};

// The generator's CSV, and the same records as JSON Lines (numbers as JSON numbers, empty
// cells left out), as a JSON export would write them.
Data& data() {
  static Data d = [] {
    Data out;
    std::ifstream in(source_dir() + "/examples/b2b_saas.health");
    std::stringstream text;
    text << in.rdbuf();
    CompileOptions options;
    options.engine = Engine::Jit;
    options.use_cache = false;
    CompileOutcome compiled = compile_scorecard_text("b2b_saas.health", text.str(), options);
    out.card = compiled.scorecard;
    if (!out.card) {
      out.error = "b2b_saas.health does not compile";
      return out;
    }
    const std::string command = "python3 '" + source_dir() + "/scripts/gen_accounts.py' --card b2b --rows " +
                                std::to_string(rows()) + " --seed 1";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    char buf[1 << 16];
    for (size_t n; pipe && (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.csv.append(buf, n);
    if (!pipe || ::pclose(pipe) != 0 || out.csv.empty()) {
      out.error = "`" + command + "` failed";
      return out;
    }
    const rt::Schema schema = out.card->schema();
    std::vector<std::string> header;
    size_t at = 0;
    for (size_t nl = out.csv.find('\n'); at < nl;) {
      const size_t comma = std::min(out.csv.find(',', at), nl);
      header.push_back(out.csv.substr(at, comma - at));
      at = comma + 1;
    }
    auto numeric = [&](const std::string& name) {
      for (const rt::FieldSpec& f : schema.fields)
        if (f.name == name) return f.type == rt::FieldType::Number;
      return false;
    };
    while (at < out.csv.size()) {
      const size_t nl = out.csv.find('\n', at);
      out.jsonl.push_back('{');
      bool first = true;
      for (size_t c = 0; c < header.size(); ++c) {
        const size_t comma = std::min(out.csv.find(',', at), nl);
        const std::string cell = out.csv.substr(at, comma - at);
        at = comma + 1;
        if (cell.empty()) continue;
        if (!first) out.jsonl.push_back(',');
        first = false;
        out.jsonl += "\"" + header[c] + "\":" + (numeric(header[c]) ? cell : "\"" + cell + "\"");
      }
      out.jsonl += "}\n";
    }
    return out;
  }();
  return d;
}

// Reads `bytes` as `healthc score` does on one thread: spans cut, parsed and settled in order.
// `file`: from a temporary file, mapped as `healthc score` maps its data file; else streamed
// from memory (fmemopen: the chunked reads a pipe gets).
size_t read_all(rt::DataFormat format, std::string& bytes, const rt::Schema& schema, std::FILE* file = nullptr) {
  std::FILE* f = file ? file : fmemopen(bytes.data(), bytes.size(), "r");
  if (file) std::rewind(file);
  auto reader = rt::make_reader(format, f, schema);
  size_t accepted = 0;
  if (reader->open().empty()) {
    rt::RawSpan span;
    rt::ColumnBlock block;
    std::vector<rt::Reject> rejects;
    while (reader->next_span(span, size_t{1} << 20)) {
      reader->parse_span(span, block, rejects);
      reader->settle_span(span, block, rejects);
      accepted += block.rows;
      rejects.clear();
    }
  }
  if (!file) std::fclose(f);
  return accepted;
}

void read(benchmark::State& state, rt::DataFormat format, bool from_file) {
  Data& d = data();
  if (!d.error.empty()) {
    state.SkipWithError(d.error.c_str());
    return;
  }
  std::string& bytes = format == rt::DataFormat::Csv ? d.csv : d.jsonl;
  const rt::Schema schema = d.card->schema();
  std::FILE* file = nullptr;
  if (from_file) {
    file = std::tmpfile();
    if (!file || std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size() || std::fflush(file) != 0) {
      state.SkipWithError("could not write the temporary file");
      if (file) std::fclose(file);
      return;
    }
  }
  for (auto _ : state) {
    if (read_all(format, bytes, schema, file) != rows()) {
      state.SkipWithError("rows were rejected");
      break;
    }
  }
  if (file) std::fclose(file);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
  state.counters["per_row"] = benchmark::Counter(static_cast<double>(rows()),
                                                 benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void write(benchmark::State& state, bool full) {
  Data& d = data();
  if (!d.error.empty()) {
    state.SkipWithError(d.error.c_str());
    return;
  }
  const rt::Schema schema = d.card->schema();
  std::FILE* f = fmemopen(d.csv.data(), d.csv.size(), "r");
  auto reader = rt::make_reader(rt::DataFormat::Csv, f, schema);
  rt::ColumnBlock block;
  std::vector<rt::Reject> rejects;
  reader->open();
  reader->next(block, rejects, 65536);
  std::fclose(f);
  const ir::Program& p = d.card->program();
  std::vector<rt::OutputColumn> columns;
  std::string unknown;
  if (full) {
    columns = rt::default_columns(p, false);
  } else {
    rt::select_columns(p, {p.fields[p.key_field].name, "segment", "score", "band", "label", "override"}, columns,
                       unknown);
  }
  BlockScores scores;
  d.card->score(block, static_cast<double>(rt::days_from_civil(2026, 11, 1)), full, scores);
  std::string out;
  size_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    rt::format_rows(p, columns, block, scores, rt::OutputFormat::Csv, out);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  state.counters["per_row"] = benchmark::Counter(static_cast<double>(block.rows),
                                                 benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

BENCHMARK_CAPTURE(read, csv/b2b_saas, rt::DataFormat::Csv, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(read, csv_mapped/b2b_saas, rt::DataFormat::Csv, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(read, jsonl/b2b_saas, rt::DataFormat::JsonLines, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(read, jsonl_mapped/b2b_saas, rt::DataFormat::JsonLines, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(write, csv_columns/b2b_saas, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(write, csv_full/b2b_saas, true)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace healthc::bench

BENCHMARK_MAIN();
