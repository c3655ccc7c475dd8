# SPDX-License-Identifier: ISC
# Time: ISO 8601 and NTP conversions.
src_common_libcommon_la_SOURCES += src/common/time.c src/common/time.h
