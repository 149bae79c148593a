// The store rules (W7xx): what the snapshots a history store already holds say about a card's
// reads of the past (`healthc lint --store`). `change(X, N days)` reads the latest snapshot at
// or before as-of minus N days (spec "Reading the past in expressions"), so over snapshots taken
// every S days it compares with one ceil(N / S) * S days back on the store's cadence, and with
// nothing at all until the store reaches N days back.
#include <algorithm>
#include <cmath>

#include "compiler/lint/rules.h"
#include "runtime/io/cell_parse.h"

namespace healthc::lint {
namespace {

// The recent spacing of the snapshots: the median of the last (up to) kGaps gaps between
// consecutive as-of dates, so one missed night or a backfilled stretch does not decide it. 0
// with fewer than two snapshots.
constexpr size_t kGaps = 8;
int32_t spacing(const std::vector<int32_t>& days) {
  if (days.size() < 2) return 0;
  std::vector<int32_t> gaps;
  for (size_t i = days.size() - std::min(days.size() - 1, kGaps); i < days.size(); ++i)
    gaps.push_back(days[i] - days[i - 1]);
  std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
  return gaps[gaps.size() / 2];
}

// Every `change(X, N days)` of the card, once per place it is written.
template <typename F>
void each_change(const LintContext& cx, F&& f) {
  visit_card(cx.card, [&](const ast::Expr& e) {
    if (e.kind == ast::ExprKind::Change && e.number >= 0 && std::isfinite(e.number)) f(e, static_cast<int32_t>(e.number));
  });
}

}  // namespace

void change_window_spacing(const LintContext& cx) {
  if (!cx.store) return;
  const int32_t s = spacing(cx.store->snapshot_days);
  if (s <= 0) return;
  each_change(cx, [&](const ast::Expr& e, int32_t n) {
    if (n == 0) return;  // `0 days` asks for the latest earlier snapshot, whatever its age
    const int32_t reads = (n + s - 1) / s * s;
    // A quarter longer than asked (a month over weekly snapshots reads 35 days: fine; 3 days
    // reads 7, 10 reads 14: not what was asked).
    if (reads - n < 1 || reads * 4 <= n * 5) return;
    cx.out.report(DiagKind::LintChangeWindowSpacing, e.window_range, n, reads, cx.store->title, s);
    cx.out.note(DiagKind::NoteChangeWindow, e.window_range, std::max<int32_t>(s, (n + s / 2) / s * s));
  });
}

void change_before_history(const LintContext& cx) {
  if (!cx.store || cx.store->snapshot_days.empty()) return;
  const int32_t first = cx.store->snapshot_days.front();
  each_change(cx, [&](const ast::Expr& e, int32_t n) {
    if (cx.store->as_of - n >= first) return;
    cx.out.report(DiagKind::LintChangeBeforeHistory, e.window_range, n, rt::date_text(first + n),
                  cx.store->title, rt::date_text(first));
  });
}

}  // namespace healthc::lint
