// Writes new weights (and band thresholds) into a scorecard's source text, touching only the
// numbers that change, so that the diff a reviewer reads is those numbers and nothing else.
// `healthc tune` writes every candidate card this way and compiles it.
#pragma once

#include <string>
#include <vector>

#include "compiler/frontend.h"
#include "compiler/ir/ir.h"

namespace healthc::driver {

class CardWriter {
 public:
  explicit CardWriter(const FrontendResult& front) : front_(front) {}

  // The card's text with each model's resolved weight tree as in `target` (models matched by
  // name; same shape as the card's own) and each band's `from` as in `band_from`. A weight
  // written in the model is edited in place; a weight a model inherits through `extends` and
  // must now differ from its base is set in the model's body (`NAME W`, or
  // `group NAME [W] { ... }` for nodes inside an inherited group). The caller compiles the
  // result and checks the weights came out as asked.
  std::string write(const std::vector<ir::Model>& target, const std::vector<int32_t>& band_from) const;

 private:
  const FrontendResult& front_;
};

// Every node's weight, in tree order.
void flatten_weights(const std::vector<ir::WeightNode>& nodes, std::vector<std::pair<std::string, double>>& out);
bool same_weights(const std::vector<ir::WeightNode>& a, const std::vector<ir::WeightNode>& b);
// A weight as written: a whole number plainly, else the shortest decimal.
std::string format_weight(double v);

}  // namespace healthc::driver
