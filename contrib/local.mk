# SPDX-License-Identifier: ISC
# Benchmarks and helper scripts; nothing here is part of make check.
