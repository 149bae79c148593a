# RUN: %healthc help validate
# `healthc help CMD` is `healthc CMD --help`: positional arguments listed as such, defaults as written.
