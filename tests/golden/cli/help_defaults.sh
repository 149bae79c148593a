# RUN: %healthc tune --help
# A default prints as the user would write it (0.7, not 0.69999999999999996).
