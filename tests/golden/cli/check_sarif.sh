# RUN: %healthc check --format sarif examples/b2b_saas.health tests/golden/cli/no_such_card.health
# check --format sarif: one SARIF 2.1.0 log for every file (a clean card has no result; a file
# that cannot be read is an E0001 result), as lint --format sarif prints.
