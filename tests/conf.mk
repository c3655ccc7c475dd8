# SPDX-License-Identifier: ISC
# Config loader tests.
