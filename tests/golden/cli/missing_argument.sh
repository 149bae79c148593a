# RUN: %healthc score examples/b2b_saas.health
# A missing positional argument by its name.
