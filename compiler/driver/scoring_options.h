// Options shared by the commands that score data (score, explain): compiling the card with
// --param overrides, the as-of date, opening data files.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "compiler/driver/cli.h"
#include "compiler/api/compile.h"
#include "runtime/io/record_reader.h"

namespace healthc::driver {

void add_scoring_options(po::options_description& opts);
// How every command that reads data reads it: --input-format, --delimiter, --null.
void add_data_options(po::options_description& opts);
// Those options as the readers take them; false, after a usage error (exit_code set), when
// one is malformed.
bool data_reading(const std::string& command, const po::variables_map& vm, rt::DataReading& out, int& exit_code);
// CARD DATA --outcome COLUMN [--positive low|high]: the commands that judge a score against
// what customers did (validate, tune).
void add_outcome_options(po::options_description& opts);

// Compiles CARD with --param and --engine; on failure prints why and sets `exit_code`.
// `eager_detail`: the run will need per-measure detail (reasons, --explain), so that variant
// of the native code is compiled up front instead of the basic one. `native` false: only the
// program is wanted (no JIT). CARD may be an ahead-of-time artefact (`healthc compile --emit
// shared`, recognised by content): it is loaded instead (runtime/aot/artefact.h), and refused
// for commands that need the card's source and with --param. `card_text` given: the command
// needs only the program and the card's text (score), so a card whose program is cached is
// loaded without the front end (compile_scorecard_cached; source() is then null) and
// *card_text is the card's text (empty for an artefact).
std::shared_ptr<const Scorecard> load_scorecard(const std::string& command, const po::variables_map& vm,
                                                int& exit_code, bool eager_detail = false, bool native = true,
                                                std::string* card_text = nullptr);
// The spec's "the run says so once": every command that scores a card reading the past
// (previous, change) without a store calls this once per card; a note on stderr when it does.
void note_past_missing(const std::string& command, const std::string& card_path, const ir::Program& program);
// For commands that read the card's text (lint): true, after saying so on stderr, when `path`
// is an ahead-of-time artefact rather than a .health file.
bool refuse_compiled_card(const std::string& command, const std::string& path);
// --as-of as days since 1970-01-01 (today, UTC, when absent). False on a bad date.
bool as_of_days(const po::variables_map& vm, double& days);

// The --param overrides as a JSON object ({"name": value}; "{}" when none), as a snapshot
// records them. The values were checked by load_scorecard.
std::string params_json(const po::variables_map& vm);

// Opens a data file for reading ("-" is stdin); null with a message on failure.
std::FILE* open_input(const std::string& path, std::string& error);

}  // namespace healthc::driver
