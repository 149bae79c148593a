# RUN: %healthc score examples/b2b_saas.health examples/data/b2b_saas.csv extra.csv
# One argument too many.
