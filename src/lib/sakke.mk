# SPDX-License-Identifier: ISC
# SAKKE: F_p (1024-bit), F_p^2, the curve, the pairing, RFC 6508.
src_lib_libskm_la_SOURCES += src/lib/sakke.h
