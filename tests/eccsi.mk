# SPDX-License-Identifier: ISC
# ECCSI, UID and KDF unit tests and the ECCSI constant-time program.
