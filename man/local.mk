# SPDX-License-Identifier: ISC
# Hand-written mdoc pages, checked with mandoc -Tlint when it is installed.
