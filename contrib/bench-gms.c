/* SPDX-License-Identifier: ISC */
/*
 * bench-gms: the simulated members of the GMS service benchmark
 * (contrib/bench-gms runs it). One process holds one long-poll
 * notification channel per member (libcurl multi, one TLS connection
 * each, reused for the answers), drains what is due, then starts the
 * trigger command (the rekey) and measures the time until every member
 * has had its answer to a GMK notification recorded (HTTP 204), with the
 * service's CPU time over that interval and its peak memory from /proc.
 * A simulated member answers success once the Notifications document
 * parses (gmsnote): it does not run the GMK checks, whose cost per member
 * contrib/bench-gmk measures. Built only for benchmarks; never installed.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "client/gmschan.h"
#include "client/gmsnote.h"
#include "client/notify.h"

extern char **environ;

enum phase { DRAIN, HOLD, DONE };

struct buf {
	char *data;
	size_t len, cap;
};

struct member {
	char *uri;
	char *auth;			/* the Authorization header line */
	char base[2048];		/* URL up to the member */
	CURL *h;			/* the poll, then each answer in turn */
	struct curl_slist *hdrs;
	struct buf b;
	struct gmsnote *notes;		/* of the last poll, being answered */
	size_t nnotes, next;		/* next to answer */
	char *doc;			/* the answer being sent */
	int posting;
	int drained;			/* an empty answer came in the drain phase */
	int answered;			/* a GMK answer was recorded after the trigger */
};

static struct {
	const char *url, *cacert, *members, *trigger;
	long pid, wait;
	CURLM *m;
	struct member *v;
	size_t n, drained, answered, sent, errors;
	enum phase phase;
} B;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;
	char *q;

	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((q = realloc(b->data, cap)) == NULL)
			return 0;
		b->data = q;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static void
setup(struct member *mb, const char *path, const char *body, size_t len)
{
	char url[2200];

	snprintf(url, sizeof(url), "%s%s", mb->base, path);
	curl_easy_reset(mb->h);
	curl_easy_setopt(mb->h, CURLOPT_URL, url);
	curl_easy_setopt(mb->h, CURLOPT_HTTPHEADER, mb->hdrs);
	curl_easy_setopt(mb->h, CURLOPT_CAINFO, B.cacert);
	curl_easy_setopt(mb->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(mb->h, CURLOPT_TIMEOUT, B.wait + 60L);
	curl_easy_setopt(mb->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(mb->h, CURLOPT_WRITEDATA, &mb->b);
	curl_easy_setopt(mb->h, CURLOPT_PRIVATE, mb);
	if (body != NULL) {
		curl_easy_setopt(mb->h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(mb->h, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	mb->b.len = 0;
	curl_multi_add_handle(B.m, mb->h);
}

static void
poll_again(struct member *mb)
{
	char path[64];

	snprintf(path, sizeof(path), "/notifications?wait=%ld", B.phase == DRAIN ? 0L : B.wait);
	mb->posting = 0;
	setup(mb, path, NULL, 0);
}

/* Answers the next notification of the last poll, or polls again. */
static void
answer_next(struct member *mb)
{
	char path[128];
	size_t len;

	free(mb->doc);
	mb->doc = NULL;
	while (mb->next < mb->nnotes && mb->notes[mb->next].kind == GMSNOTE_OTHER)
		mb->next++;
	if (mb->next == mb->nnotes) {
		gmsnote_free(mb->notes, mb->nnotes);
		mb->notes = NULL;
		mb->nnotes = mb->next = 0;
		poll_again(mb);
		return;
	}
	if (notify_resp_write(mb->notes[mb->next].group, 1, NULL, &mb->doc, &len) != 0) {
		fprintf(stderr, "bench-gms: out of memory\n");
		exit(1);
	}
	snprintf(path, sizeof(path), "/notifications/%s/response", mb->notes[mb->next].id);
	mb->posting = 1;
	setup(mb, path, mb->doc, len);
}

static void
done(struct member *mb, CURLcode cc)
{
	char why[256] = "";
	long status = 0;

	curl_multi_remove_handle(B.m, mb->h);
	curl_easy_getinfo(mb->h, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK || (status != 200 && status != 204)) {
		if (B.errors++ < 10)
			fprintf(stderr, "bench-gms: %s: %s, HTTP %ld\n", mb->uri,
			    curl_easy_strerror(cc), status);
		if (mb->posting)
			mb->next++;
		answer_next(mb);
		return;
	}
	if (mb->posting) {
		if (B.phase == HOLD && mb->notes[mb->next].kind == GMSNOTE_GMK &&
		    !mb->answered) {
			mb->answered = 1;
			B.answered++;
		}
		mb->next++;
		answer_next(mb);
		return;
	}
	if (gmsnote_parse(mb->b.data, mb->b.len, &mb->notes, &mb->nnotes, why,
	    sizeof(why)) != 0) {
		fprintf(stderr, "bench-gms: %s: %s\n", mb->uri, why);
		exit(1);
	}
	if (B.phase == DRAIN && mb->nnotes == 0 && !mb->drained) {
		mb->drained = 1;
		B.drained++;
	}
	B.sent += mb->nnotes;
	mb->next = 0;
	answer_next(mb);
}

static void
pump(void)
{
	struct CURLMsg *msg;
	int running, left;

	curl_multi_perform(B.m, &running);
	while ((msg = curl_multi_info_read(B.m, &left)) != NULL) {
		struct member *mb;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&mb);
		done(mb, msg->data.result);
	}
	curl_multi_poll(B.m, NULL, 0, 100, NULL);
}

/* utime + stime of pid in seconds, and its peak and current RSS in KiB. */
static int
proc_usage(long pid, double *cpu, long *hwm, long *rss)
{
	char path[64], line[4096], *p;
	unsigned long ut, st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (p == NULL || (p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	*cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		sscanf(line, "VmHWM: %ld", hwm);
		sscanf(line, "VmRSS: %ld", rss);
	}
	fclose(f);
	return 0;
}

static void
load_members(void)
{
	char line[20000], seg[1024], *tok;
	size_t cap = 0;
	FILE *f;

	if ((f = fopen(B.members, "r")) == NULL) {
		fprintf(stderr, "bench-gms: %s: %s\n", B.members, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct member *mb;

		line[strcspn(line, "\r\n")] = '\0';
		if ((tok = strchr(line, ' ')) == NULL)
			continue;
		*tok++ = '\0';
		if (B.n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((B.v = realloc(B.v, cap * sizeof(*B.v))) == NULL)
				exit(1);
		}
		mb = &B.v[B.n++];
		memset(mb, 0, sizeof(*mb));
		mb->uri = strdup(line);
		if (mb->uri == NULL || gmschan_segment(line, seg, sizeof(seg)) != 0 ||
		    (mb->auth = malloc(strlen(tok) + 32)) == NULL)
			exit(1);
		snprintf(mb->auth, strlen(tok) + 32, "Authorization: Bearer %s", tok);
		if ((size_t)snprintf(mb->base, sizeof(mb->base), "%s/gm/v1/members/%s", B.url,
		    seg) >= sizeof(mb->base))
			exit(1);
		mb->hdrs = curl_slist_append(NULL, mb->auth);
		mb->hdrs = curl_slist_append(mb->hdrs, "Content-Type: application/xml");
		if ((mb->h = curl_easy_init()) == NULL || mb->hdrs == NULL)
			exit(1);
	}
	fclose(f);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-gms --url URL --cacert FILE --members FILE "
	    "--trigger COMMAND [--pid PID] [--wait SECONDS]\n"
	    "  FILE: one 'URI TOKEN' line per member\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	char *sh[] = { (char *)"sh", (char *)"-c", NULL, NULL };
	double t0, t1, t_all = 0, cpu0 = 0, cpu1 = 0, limit;
	long hwm = 0, rss = 0;
	pid_t child;
	int i, st, child_done = 0, child_status = 0;
	size_t k;

	B.wait = 60;
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--url") == 0)
			B.url = argv[i + 1];
		else if (strcmp(argv[i], "--cacert") == 0)
			B.cacert = argv[i + 1];
		else if (strcmp(argv[i], "--members") == 0)
			B.members = argv[i + 1];
		else if (strcmp(argv[i], "--trigger") == 0)
			B.trigger = argv[i + 1];
		else if (strcmp(argv[i], "--pid") == 0)
			B.pid = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--wait") == 0)
			B.wait = strtol(argv[i + 1], NULL, 10);
		else
			usage();
	}
	if (i != argc || B.url == NULL || B.cacert == NULL || B.members == NULL ||
	    B.trigger == NULL)
		usage();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	load_members();
	B.m = curl_multi_init();
	/* Every channel keeps its connection: the answers go over it. */
	curl_multi_setopt(B.m, CURLMOPT_MAXCONNECTS, (long)(2 * B.n + 16));
	curl_multi_setopt(B.m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);

	/* Drain: every member polls with wait=0 until nothing is due. */
	B.phase = DRAIN;
	t0 = now_s();
	for (k = 0; k < B.n; k++)
		poll_again(&B.v[k]);
	while (B.drained < B.n) {
		pump();
		if (now_s() - t0 > 600) {
			fprintf(stderr, "bench-gms: drain: %zu of %zu after 600 s\n", B.drained,
			    B.n);
			return 1;
		}
	}
	fprintf(stderr, "bench-gms: %zu channels connected and drained in %.2f s\n", B.n,
	    now_s() - t0);
	/* Hold: the polls wait; the ones that come back empty go out again. */
	B.phase = HOLD;
	for (k = 0; k < B.n; k++) {
		curl_multi_remove_handle(B.m, B.v[k].h);
		poll_again(&B.v[k]);
	}
	t0 = now_s();
	while (now_s() - t0 < 1.0)
		pump();
	if (B.pid > 0)
		proc_usage(B.pid, &cpu0, &hwm, &rss);
	sh[2] = (char *)B.trigger;
	t0 = now_s();
	if (posix_spawn(&child, "/bin/sh", NULL, NULL, sh, environ) != 0) {
		fprintf(stderr, "bench-gms: cannot start the trigger\n");
		return 1;
	}
	limit = 600;
	while (B.answered < B.n && now_s() - t0 < limit) {
		pump();
		if (!child_done && waitpid(child, &st, WNOHANG) == child) {
			child_done = 1;
			child_status = st;
			t1 = now_s();
			fprintf(stderr, "bench-gms: trigger done after %.3f s (status %d)\n",
			    t1 - t0, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		}
	}
	t_all = now_s() - t0;
	if (B.pid > 0)
		proc_usage(B.pid, &cpu1, &hwm, &rss);
	if (!child_done && waitpid(child, &child_status, 0) == child)
		child_done = 1;
	printf("members                    %zu\n", B.n);
	printf("answered                   %zu\n", B.answered);
	printf("notifications received     %zu\n", B.sent);
	printf("request errors             %zu\n", B.errors);
	printf("rekey to last answer, s    %.3f\n", t_all);
	if (B.pid > 0) {
		printf("service CPU in that time, s %.2f\n", cpu1 - cpu0);
		printf("service peak RSS, KiB      %ld\n", hwm);
		printf("service RSS now, KiB       %ld\n", rss);
	}
	return B.answered == B.n && WIFEXITED(child_status) &&
	    WEXITSTATUS(child_status) == 0 ? 0 : 1;
}
