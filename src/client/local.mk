# SPDX-License-Identifier: ISC
# The client side under skmc: KMS response parsing and checking (kmsdoc),
# the keystore and the KMS requests (ks), the group key state (gmk), the
# client of a GMS service (gmsc).
# Depends on libskm and src/common; never on the server, the store or libevent.
include src/client/kmsdoc.mk
include src/client/ks.mk
include src/client/gmk.mk
include src/client/gmsc.mk
