/* SPDX-License-Identifier: ISC */
/* Decimal text (see dec.h). */
#include "common/dec.h"

#include <string.h>

size_t
dec_u64(uint64_t v, char out[DEC_U64_LEN])
{
	char tmp[DEC_U64_LEN - 1], *p = tmp + sizeof(tmp);
	size_t n;

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}
