// The report's aggregate queries over a title's snapshots (report_queries.h).
#include "runtime/history/report_queries.h"

#include <fmt/format.h>

#include "runtime/history/sqlite_db.h"

namespace healthc::history {

std::vector<BandCounts> band_counts(const std::string& path, const std::vector<SnapshotInfo>& snapshots) {
  Db db;
  db.open(path, /*read_only=*/true, /*create=*/false);
  db.exec("BEGIN");
  // The band names of the snapshot's card version, then its counts: the primary key
  // (snapshot_id, account_id) makes each a range scan of one snapshot's rows.
  Stmt names(db,
             "SELECT n.idx, n.name FROM snapshot s JOIN card_name n ON n.card_version_id = s.card_version_id "
             "AND n.kind = 'band' WHERE s.id = ? ORDER BY n.idx");
  Stmt counts(db,
              "SELECT band, count(*), count(score), coalesce(sum(score), 0) FROM result WHERE snapshot_id = ? "
              "GROUP BY band ORDER BY band");
  std::vector<BandCounts> out;
  out.reserve(snapshots.size());
  for (const auto& info : snapshots) {
    BandCounts bc;
    bc.snapshot_id = info.id;
    bc.as_of = info.as_of;
    names.bind(1, info.id);
    while (names.step()) {
      const int64_t idx = names.int64(0);
      if (idx < 0 || idx > 1 << 20) continue;
      if (bc.bands.size() <= static_cast<size_t>(idx)) bc.bands.resize(static_cast<size_t>(idx) + 1);
      bc.bands[static_cast<size_t>(idx)] = names.text(1);
    }
    names.reset();
    bc.accounts.assign(bc.bands.size(), 0);
    counts.bind(1, info.id);
    while (counts.step()) {
      const int64_t band = counts.int64(0);
      if (band < 0 || static_cast<size_t>(band) >= bc.bands.size())
        throw StoreError(fmt::format("store `{}`: snapshot {} holds band {}, which its card version does not name",
                                     path, info.as_of, band));
      bc.accounts[static_cast<size_t>(band)] += counts.int64(1);
      bc.scored += counts.int64(2);
      bc.score_sum += counts.real(3);
    }
    counts.reset();
    out.push_back(std::move(bc));
  }
  db.exec("COMMIT");
  return out;
}

}  // namespace healthc::history
