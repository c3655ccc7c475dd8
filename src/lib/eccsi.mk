# SPDX-License-Identifier: ISC
# ECCSI (RFC 6507), the UID and KDFs of TS 33.180 Annex F.
src_lib_libskm_la_SOURCES += src/lib/eccsi.h
