// How `healthc history`, `changes` and `alerts` lay out what they read from the store: text for
// people (tables, a sparkline), CSV and JSON for machines, Markdown for a ticket or a wiki.
// Rendering only: the commands read the store, these functions never do.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "runtime/analysis/changes.h"
#include "runtime/analysis/fired_alerts.h"
#include "runtime/history/store.h"

namespace healthc::driver {

enum class HistoryFormat { Text, Csv, Json, Markdown };
bool parse_history_format(const std::string& s, HistoryFormat& out);
enum class Format;  // cli.h
// --format's text, csv, json or markdown (anything else is text).
HistoryFormat to_history_format(Format f);

// Large outputs are handed over in pieces: `flush` is called with the text so far whenever it
// grows past a megabyte (and the string is then cleared); null keeps everything in `out`.
using Flush = std::function<void(std::string&)>;

// The score as a row of block characters, one per snapshot (▁ for 0 ... █ for 100; a space
// where unscored).
std::string sparkline(const std::vector<int32_t>& scores);

// One account across snapshots (Text, Csv, Json): date, score, change, band, label, override,
// the alerts that fired and the stale measures (where a card version met has alerts or stale
// rules), each measure's score (the measures of every version met, the latest version's first).
// `all_dates`: every snapshot date of the scorecard, oldest first; the change is shown only
// against the snapshot just before (none after a snapshot the account is absent from). Empty:
// the entries are taken as consecutive snapshots.
std::string render_history(const history::AccountHistory& h, const std::string& title, const std::string& key,
                           HistoryFormat format, const std::vector<std::string>& all_dates = {});

// The changes between two snapshots (every format). Text and Markdown: the band transitions,
// then each account that moved with its attribution. Csv: one row per selected account, the
// columns of issue 14 item 6. Json: the summary and every selected account.
void render_changes(const analysis::ChangesResult& r, HistoryFormat format, std::string& out, const Flush& flush);

// The fired alerts of a snapshot with the alerts file's columns (Text, Csv, Json = JSON Lines).
// `at_least`: the severity filter, named in the text heading when above info.
void render_alerts(const history::Snapshot& snapshot, const history::Snapshot* previous,
                   const std::vector<analysis::FiredAlert>& alerts, HistoryFormat format, std::string& out,
                   ir::Severity at_least = ir::Severity::Info);

// The account's reasons from its record, as `healthc score` prints them: the top three measures
// by points lost (effective weight x (100 - score)), `measure -points`, `; `-separated.
std::string record_reasons(const history::AccountRecord& r, const history::CardNames& names);

}  // namespace healthc::driver
