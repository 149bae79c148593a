# RUN: %healthc score examples/b2b_saas.health examples/data/b2b_saas.csv --stroe h.db
# A mistyped option: the nearest option of the command.
