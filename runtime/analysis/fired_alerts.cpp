// Fired alerts from a snapshot's per-account masks (the store records which fired), sorted
// as the alerts file is.
#include "runtime/analysis/fired_alerts.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace healthc::analysis {

std::vector<FiredAlert> fired_alerts(const history::Snapshot& snapshot, const history::Snapshot* previous,
                                     ir::Severity at_least) {
  const auto& names = snapshot.names;
  const size_t nalerts = std::min<size_t>(names.alerts.size(), 64);
  auto severity = [&](size_t a) {
    return a < names.alert_severities.size() ? names.alert_severities[a] : ir::Severity::Medium;
  };
  std::vector<FiredAlert> out;
  for (size_t i = 0; i < snapshot.accounts.size(); ++i) {
    const uint64_t fired = snapshot.accounts[i].alerts_fired;
    if (!fired) continue;
    for (size_t a = 0; a < nalerts; ++a)
      if ((fired >> a) & 1 && severity(a) >= at_least)
        out.push_back({static_cast<int32_t>(a), static_cast<uint32_t>(i), -1});
  }
  if (previous && !out.empty()) {
    std::unordered_map<std::string_view, int64_t> index;
    index.reserve(previous->accounts.size());
    for (size_t i = 0; i < previous->accounts.size(); ++i) index.emplace(previous->accounts[i].key, static_cast<int64_t>(i));
    for (FiredAlert& f : out)
      if (auto it = index.find(snapshot.accounts[f.account].key); it != index.end()) f.previous = it->second;
  }
  std::stable_sort(out.begin(), out.end(), [&](const FiredAlert& x, const FiredAlert& y) {
    if (severity(x.alert) != severity(y.alert)) return severity(x.alert) > severity(y.alert);
    if (x.alert != y.alert) return x.alert < y.alert;
    return snapshot.accounts[x.account].row < snapshot.accounts[y.account].row;
  });
  return out;
}

}  // namespace healthc::analysis
