// Joins two snapshots by key (in step where they list the same accounts, else a hash map over
// the earlier one's keys), counts band transitions
// and orders the accounts that pass the filters; attribution happens per account on demand.
#include "runtime/analysis/changes.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string_view>
#include <unordered_map>

namespace healthc::analysis {

AccountChange ChangesResult::change(const AccountPair& p) const {
  return attribute(before->accounts[p.before], before->names, after->accounts[p.after], after->names, measures);
}

void ChangesResult::change(const AccountPair& p, AccountChange& out) const {
  attribute(before->accounts[p.before], before->names, after->accounts[p.after], after->names, measures, out);
}

bool ChangesResult::moved(const AccountPair& p) const {
  const history::AccountRecord& a = before->accounts[p.before];
  const history::AccountRecord& b = after->accounts[p.after];
  auto same = [](const std::vector<std::string>& n1, int32_t i1, const std::vector<std::string>& n2, int32_t i2) {
    auto at = [](const std::vector<std::string>& n, int32_t i) {
      return i >= 0 && static_cast<size_t>(i) < n.size() ? std::string_view(n[i]) : std::string_view(i < 0 ? "" : "?");
    };
    return at(n1, i1) == at(n2, i2);
  };
  const auto& n1 = before->names;
  const auto& n2 = after->names;
  return a.score != b.score || !same(n1.bands, a.band, n2.bands, b.band) ||
         !same(n1.segments, a.segment, n2.segments, b.segment) || !same(n1.labels, a.label, n2.labels, b.label) ||
         !same(n1.overrides, a.override_, n2.overrides, b.override_);
}

ChangesResult compute_changes(const history::Snapshot& before, const history::Snapshot& after,
                              const ChangesOptions& options) {
  ChangesResult r;
  r.before = &before;
  r.after = &after;
  r.measures = match_measures(before.names, after.names);
  r.card_changed = before.info.card_hash != after.info.card_hash;

  // Two snapshots of one card mostly list the same accounts in the same order: try the account
  // after the last match first, and build the key index only when that guess misses.
  std::unordered_map<std::string_view, uint32_t> index;
  bool indexed = false;
  size_t hint = 0;
  auto find_before = [&](const std::string& key) -> int64_t {
    if (hint < before.accounts.size() && before.accounts[hint].key == key) return static_cast<int64_t>(hint++);
    if (!indexed) {
      index.reserve(before.accounts.size());
      for (size_t i = 0; i < before.accounts.size(); ++i) index.emplace(before.accounts[i].key, static_cast<uint32_t>(i));
      indexed = true;
    }
    auto it = index.find(key);
    if (it == index.end()) return -1;
    hint = it->second + 1;
    return it->second;
  };

  auto name = [](const std::vector<std::string>& names, int32_t i) {
    return i >= 0 && static_cast<size_t>(i) < names.size() ? names[i] : std::string("?");
  };
  std::map<std::pair<int32_t, int32_t>, int64_t> transitions;
  struct Ranked {
    AccountPair pair;
    int group;      // 0 scored on both sides, 1 unscored on a side
    int32_t delta;  // score2 - score1 where both are scored
    int64_t row;
  };
  std::vector<Ranked> ranked;
  for (size_t j = 0; j < after.accounts.size(); ++j) {
    const history::AccountRecord& a2 = after.accounts[j];
    const int64_t i1 = find_before(a2.key);
    if (i1 < 0) {
      ++r.only_after;
      continue;
    }
    ++r.in_both;
    const history::AccountRecord& a1 = before.accounts[i1];
    if (!options.segment.empty() && name(before.names.segments, a1.segment) != options.segment &&
        name(after.names.segments, a2.segment) != options.segment)
      continue;
    ++transitions[{a1.band, a2.band}];
    const bool both = a1.score >= 0 && a2.score >= 0;
    const int32_t delta = both ? a2.score - a1.score : 0;
    if (both && std::abs(delta) < options.min_change) continue;
    if (!both && a1.score < 0 && a2.score < 0 && options.min_change > 0) continue;  // nothing moved
    if (options.band_changes && name(before.names.bands, a1.band) == name(after.names.bands, a2.band)) continue;
    ranked.push_back({{static_cast<uint32_t>(i1), static_cast<uint32_t>(j)}, both ? 0 : 1, delta, a2.row});
  }
  r.only_before = static_cast<int64_t>(before.accounts.size()) - r.in_both;
  for (const auto& [bands, n] : transitions)
    r.transitions.push_back({name(before.names.bands, bands.first), name(after.names.bands, bands.second), n});
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& x, const Ranked& y) {
    if (x.group != y.group) return x.group < y.group;
    if (x.delta != y.delta) return x.delta < y.delta;
    return x.row < y.row;
  });
  r.accounts.reserve(ranked.size());
  for (const Ranked& x : ranked) r.accounts.push_back(x.pair);
  return r;
}

}  // namespace healthc::analysis
