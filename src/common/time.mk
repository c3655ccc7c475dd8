# SPDX-License-Identifier: ISC
# Time: ISO 8601 and NTP conversions.
