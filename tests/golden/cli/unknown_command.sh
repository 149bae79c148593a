# RUN: %healthc scor examples/b2b_saas.health examples/data/b2b_saas.csv
# A mistyped command: the nearest command.
