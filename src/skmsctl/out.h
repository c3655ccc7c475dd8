/* SPDX-License-Identifier: ISC */
/*
 * skmsctl output: stable "name: value" lines, or one JSON object with
 * --json, from the same calls, so the two never disagree. Lists are a
 * named array of objects (JSON) or blocks separated by a blank line (text).
 */
#ifndef SKM_SKMSCTL_OUT_H
#define SKM_SKMSCTL_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct out {
	FILE *f;		/* where it goes: stdout unless out_begin_file() */
	int json;
	int first;		/* no member written yet at this level */
	int items;		/* items written in the current list */
};

void out_begin(struct out *o, int json);
/* As out_begin() on f, which stays the caller's to check and close. */
void out_begin_file(struct out *o, FILE *f, int json);
void out_end(struct out *o);
void out_str(struct out *o, const char *name, const char *value);
void out_strn(struct out *o, const char *name, const char *value, size_t len);
void out_u64(struct out *o, const char *name, uint64_t value);
void out_bool(struct out *o, const char *name, int value);
/* ISO 8601 UTC; 0 is written as "none" (text) or null (JSON) when zero_none. */
void out_time(struct out *o, const char *name, int64_t unix_seconds, int zero_none);
void out_hex(struct out *o, const char *name, const uint8_t *data, size_t len);
void out_list_begin(struct out *o, const char *name);
void out_item_begin(struct out *o);
void out_item_end(struct out *o);
void out_list_end(struct out *o);

#endif
