# SPDX-License-Identifier: ISC
# MIKEY-SAKKE (RFC 3830, RFC 6043, RFC 6509): the payload codec, the GMK
# I_MESSAGE and the 3GPP key-parameters extension.
src_lib_libskm_la_SOURCES += \
	src/lib/mikey.c src/lib/mikey.h \
	src/lib/mikey_idr.c \
	src/lib/mikey_kp.c src/lib/mikey_kp.h \
	src/lib/mikey_gmk.c src/lib/mikey_gmk.h
