// Checked AST -> scoring IR.
#pragma once

#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/check/check.h"
#include "compiler/ir/ir.h"

namespace healthc::ir {

// `params` holds each param's value, in declaration order (defaults, or --param overrides).
Program lower(const ast::Scorecard& card, const check::CheckedScorecard& checked, const std::vector<double>& params);
std::vector<double> default_params(const ast::Scorecard& card);

}  // namespace healthc::ir
