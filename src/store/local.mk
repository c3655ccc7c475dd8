# SPDX-License-Identifier: ISC
# src/store: the LMDB store, sealed secrets and key-encryption keys.
