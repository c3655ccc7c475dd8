# SPDX-License-Identifier: ISC
# skmc: the key management client.
