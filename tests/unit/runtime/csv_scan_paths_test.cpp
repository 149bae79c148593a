// The 64-byte record cutter (csv::RecordCutter) against the general scanner (scan_record): on
// every SIMD path this CPU has (scalar, SSE2, AVX2), the same records, cells, line counts and
// problems, on quotes, CRLF, quotes across 64-byte boundaries and a quote at the end of input.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "runtime/io/csv_masks.h"
#include "runtime/io/csv_scan.h"

namespace healthc::rt::csv {
namespace {

// Every record of `input` (from offset 0), printed with every field a caller reads.
std::string describe(Scan scan, const RecordSpan& rec, const CellList& cells, const char* base) {
  std::string out = std::to_string(static_cast<int>(scan));
  if (scan == Scan::NeedMore || scan == Scan::End) return out;
  out += " [" + std::to_string(rec.begin - base) + "," + std::to_string(rec.end - base) + "," +
         std::to_string(rec.next - base) + "] nl=" + std::to_string(rec.newlines) +
         " p=" + std::to_string(static_cast<int>(rec.problem));
  if (rec.problem != Problem::None) {
    out += "@" + std::to_string(rec.problem_cell) + "/" + std::to_string(rec.problem_newlines);
  }
  if (scan != Scan::Record) return out;
  for (const Cell& c : cells) {
    out += " <" + std::string(c.begin, c.end) + (c.escaped ? ">e" : ">");
  }
  return out;
}

std::vector<std::string> by_scan_record(const std::string& input, bool eof, char delim) {
  std::vector<std::string> out;
  const char* p = input.data();
  const char* end = p + input.size();
  CellList cells;
  for (;;) {
    RecordSpan rec;
    const Scan scan = scan_record(p, end, eof, cells, rec, delim);
    out.push_back(describe(scan, rec, cells, input.data()));
    if (scan == Scan::NeedMore || scan == Scan::End) return out;
    p = rec.next;
  }
}

std::vector<std::string> by_cutter(const std::string& input, bool eof, char delim, ScanPath path) {
  std::vector<std::string> out;
  RecordCutter cut(input.data(), input.data() + input.size(), eof, delim, path);
  CellList cells;
  for (;;) {
    RecordSpan rec;
    const Scan scan = cut.next(cells, rec);
    out.push_back(describe(scan, rec, cells, input.data()));
    if (scan == Scan::NeedMore || scan == Scan::End) return out;
    EXPECT_EQ(cut.pos(), rec.next);
  }
}

void expect_same(const std::string& input, char delim = ',') {
  for (bool eof : {true, false}) {
    const std::vector<std::string> want = by_scan_record(input, eof, delim);
    for (ScanPath path : available_scan_paths()) {
      SCOPED_TRACE(std::string(scan_path_name(path)) + (eof ? ", eof" : ", more to come") + ", input: " + input);
      EXPECT_EQ(by_cutter(input, eof, delim, path), want);
    }
  }
}

TEST(CsvScanPaths, ScalarAndSse2AreAlwaysThere) {
  const std::vector<ScanPath> paths = available_scan_paths();
  ASSERT_FALSE(paths.empty());
  EXPECT_EQ(paths.front(), ScanPath::Scalar);
#if defined(__x86_64__)
  EXPECT_GE(paths.size(), 2u);
  EXPECT_EQ(paths[1], ScanPath::Sse2);
#endif
  EXPECT_EQ(best_scan_path(), paths.back());
}

TEST(CsvScanPaths, MasksAgreeOnEveryByte) {
  std::string bytes(64, 'x');
  for (int i = 0; i < 64; ++i) {
    for (char c : {',', '\n', '"', '\r', ';', '\0', static_cast<char>(0xE2)}) {
      bytes.assign(64, 'x');
      bytes[static_cast<size_t>(i)] = c;
      bytes[static_cast<size_t>((i * 7 + 3) % 64)] = ',';
      const uint64_t want = mask_function(ScanPath::Scalar)(bytes.data(), ',');
      for (ScanPath path : available_scan_paths()) EXPECT_EQ(mask_function(path)(bytes.data(), ','), want);
    }
  }
}

TEST(CsvScanPaths, HandWrittenCases) {
  const std::vector<std::string> cases = {
      "",
      "a",
      "a,b,c\n",
      "a,b,c\r\nd,e,f\r\n",
      "a,b\n\n\r\nc,d",
      "a,b\r",
      "\"a\",\"b,c\",\"d\"\"e\"\n",
      "\"a\nb\",c\r\n\"x\"\"\",y\n",
      "\"",
      "a,\"",
      "a,b,\"c\"",
      "a,b,\"c\"\r",
      "a,b,\"c\"\"",
      "ab\"c,d\n",
      "\"ab\"c,d\nx,y\n",
      "\"open,\nnext,row\n",
      "\"a\"\r\"b\"\n",
      ",,,\n,\n",
      "\"\",\"\"\"\"\n",
      std::string(70, 'a') + ",\"" + std::string(60, 'b') + "\"\"" + std::string(10, 'c') + "\",d\n",
      std::string(62, 'x') + ",\"q\"\n" + std::string(63, 'y') + "\"\n",
      std::string(63, 'z') + "\n" + std::string(64, 'w') + "\r\n" + std::string(127, 'v') + ",\"",
  };
  for (const std::string& c : cases) expect_same(c);
  expect_same("a\tb\t\"c\td\"\n\"x\"\ty", '\t');
  expect_same("a;b;\"c;d\"\n", ';');
}

TEST(CsvScanPaths, QuotesAcrossEvery64ByteBoundary) {
  for (size_t pad = 0; pad < 140; ++pad) {
    const std::string lead(pad, 'a');
    expect_same(lead + ",\"x,\n\"\"y\",z\r\n" + lead + "\n");
    expect_same(lead + "\"\"");
    expect_same(lead + "\"" + std::string(pad % 70, 'q') + "\"\r\nnext\n");
    expect_same(lead + "," + "\"a\"b,c\n");
  }
}

TEST(CsvScanPaths, RandomInputs) {
  std::mt19937 rng(18);
  const char alphabet[] = {'a', 'b', ',', ',', '"', '"', '\n', '\r', ' '};
  for (int n = 0; n < 3000; ++n) {
    std::string input(rng() % 300, 'a');
    for (char& c : input) c = alphabet[rng() % sizeof alphabet];
    expect_same(input);
  }
}

// The span cutter's pass (scan_lines) on every path: line feeds counted and quotes seen as a
// byte-by-byte count sees them, at every length and offset (the lane counts are summed every 255
// rounds, so long runs of line feeds cross that too).
TEST(CsvScanPaths, LinesCountedAsBytesAre) {
  std::mt19937 rng(27);
  const char alphabet[] = "a,\n\n\"1\r";
  std::vector<std::string> inputs = {"", "\n", "\"", std::string(20000, '\n'), std::string(8161, '\n') + "\""};
  for (int i = 0; i < 300; ++i) {
    std::string s(rng() % 300, 'x');
    for (char& c : s) c = alphabet[rng() % (sizeof alphabet - 1)];
    if (rng() % 2) std::erase(s, '"');
    inputs.push_back(s);
  }
  for (const std::string& s : inputs) {
    for (size_t off = 0; off < std::min<size_t>(s.size(), 40); off += 7) {
      const uint64_t lf = static_cast<uint64_t>(std::count(s.begin() + static_cast<std::ptrdiff_t>(off), s.end(), '\n'));
      const bool quote = s.find('"', off) != std::string::npos;
      for (const ScanPath path : available_scan_paths()) {
        const LineScan seen = scan_lines(s.data() + off, s.size() - off, path);
        EXPECT_EQ(seen.newlines, lf) << scan_path_name(path) << " size " << s.size() << " at " << off;
        EXPECT_EQ(seen.quote, quote) << scan_path_name(path) << " size " << s.size() << " at " << off;
      }
    }
  }
}

}  // namespace
}  // namespace healthc::rt::csv
