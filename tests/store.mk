# SPDX-License-Identifier: ISC
# Store tests.
