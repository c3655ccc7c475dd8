# SPDX-License-Identifier: ISC
# SAKKE unit tests and its constant-time program.
