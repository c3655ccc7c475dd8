# SPDX-License-Identifier: ISC
# MIKEY-SAKKE (RFC 3830, RFC 6043, RFC 6509): the payload codec, the GMK
# I_MESSAGE and the 3GPP key-parameters extension.
