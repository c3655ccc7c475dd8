/* SPDX-License-Identifier: ISC */
/*
 * A test client for skmsd's connection handling, not a test itself: it
 * opens COUNT TLS connections to ADDR:PORT at once, sends one request on
 * each with a token no issuer signed (401 expected) and reads the whole
 * reply, retrying a connection that ends before a 401 until 3 * COUNT
 * attempts are spent. It prints what happened, then holds every socket
 * the server did not close until it is killed, so the server is left
 * with COUNT clients that each got their 401 and went quiet. It never
 * verifies the server certificate: it only loads the server.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define FLOOD_DEADLINE	60	/* seconds for every connection to get its reply */
#define FLOOD_REPLY_MAX	8192

enum flood_state {
	FLOOD_IDLE,		/* slot unused, or to be retried */
	FLOOD_CONNECTING,
	FLOOD_TALKING,		/* handshake, request, reply */
	FLOOD_HELD,		/* got its 401, open and quiet */
	FLOOD_DONE,		/* got its 401, then the server closed */
};

struct flood_conn {
	enum flood_state state;
	int fd;
	SSL *ssl;
	size_t sent;
	char reply[FLOOD_REPLY_MAX];
	size_t got;
	short events;
};

static const char flood_req[] =
    "POST /keymanagement/identity/v1/init HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\n"
    "Authorization: Bearer bm90.YS50b2tlbg.c2ln\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static struct sockaddr_in flood_to;
static SSL_CTX *flood_ctx;
static unsigned long flood_401, flood_other, flood_failed, flood_attempts;

static void
flood_drop(struct flood_conn *c)
{
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	c->ssl = NULL;
	c->fd = -1;
}

static int
flood_start(struct flood_conn *c)
{
	flood_attempts++;
	c->sent = c->got = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&flood_to, sizeof(flood_to)) != 0 &&
	    errno != EINPROGRESS) {
		flood_drop(c);
		return -1;
	}
	c->state = FLOOD_CONNECTING;
	c->events = POLLOUT;
	return 0;
}

/* Where s first occurs in the len octets at buf, or NULL. */
static const char *
flood_find(const char *buf, size_t len, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(buf + i, s, n) == 0)
			return buf + i;
	return NULL;
}

/* A whole reply: its head and Content-Length octets of body. */
static int
flood_reply_done(const struct flood_conn *c)
{
	const char *end, *cl;
	size_t head;

	if ((end = flood_find(c->reply, c->got, "\r\n\r\n")) == NULL)
		return 0;
	head = (size_t)(end - c->reply) + 4;
	if ((cl = flood_find(c->reply, head, "Content-Length: ")) == NULL)
		return 1;
	return c->got >= head + strtoul(cl + 16, NULL, 10);
}

/* The connection ended (or failed) before its 401: try again if allowed. */
static void
flood_fail(struct flood_conn *c)
{
	flood_failed++;
	flood_drop(c);
	c->state = FLOOD_IDLE;
}

static void
flood_want(struct flood_conn *c, int rc)
{
	int err = SSL_get_error(c->ssl, rc);

	if (err == SSL_ERROR_WANT_READ)
		c->events = POLLIN;
	else if (err == SSL_ERROR_WANT_WRITE)
		c->events = POLLOUT;
	else
		flood_fail(c);
}

static void
flood_step(struct flood_conn *c)
{
	int rc;

	if (c->state == FLOOD_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0 ||
		    (c->ssl = SSL_new(flood_ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
			flood_fail(c);
			return;
		}
		SSL_set_connect_state(c->ssl);
		c->state = FLOOD_TALKING;
	}
	if (c->state == FLOOD_HELD) {
		char buf[256];

		/* Quiet until the server closes (close_notify, FIN or reset). */
		rc = SSL_read(c->ssl, buf, sizeof(buf));
		if (rc > 0 || SSL_get_error(c->ssl, rc) == SSL_ERROR_WANT_READ)
			return;
		flood_drop(c);
		c->state = FLOOD_DONE;
		return;
	}
	if (!SSL_is_init_finished(c->ssl) && (rc = SSL_do_handshake(c->ssl)) != 1) {
		flood_want(c, rc);
		return;
	}
	while (c->sent < sizeof(flood_req) - 1) {
		rc = SSL_write(c->ssl, flood_req + c->sent, (int)(sizeof(flood_req) - 1 - c->sent));
		if (rc <= 0) {
			flood_want(c, rc);
			return;
		}
		c->sent += (size_t)rc;
	}
	while (!flood_reply_done(c)) {
		if (c->got == sizeof(c->reply)) {
			flood_fail(c);
			return;
		}
		rc = SSL_read(c->ssl, c->reply + c->got, (int)(sizeof(c->reply) - c->got));
		if (rc <= 0) {
			flood_want(c, rc);
			return;
		}
		c->got += (size_t)rc;
	}
	if (c->got > 12 && memcmp(c->reply, "HTTP/1.1 401", 12) == 0) {
		flood_401++;
		c->state = FLOOD_HELD;
		c->events = POLLIN;
		/* The server may have closed already: look now, the edge may be gone. */
		flood_step(c);
		return;
	}
	flood_other++;
	flood_fail(c);
}

static double
flood_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct flood_conn *conns;
	struct pollfd *pfd;
	struct rlimit rl;
	unsigned long count, i, n, held, done, talking;
	double deadline;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &flood_to.sin_addr) != 1 ||
	    (count = strtoul(argv[3], NULL, 10)) == 0 || count > 100000) {
		fprintf(stderr, "usage: connflood IPV4-ADDR PORT COUNT\n");
		return 2;
	}
	flood_to.sin_family = AF_INET;
	flood_to.sin_port = htons((unsigned short)strtoul(argv[2], NULL, 10));
	signal(SIGPIPE, SIG_IGN);
	/* One descriptor a connection, and some to spare. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < count + 16) {
		fprintf(stderr, "connflood: %lu connections need %lu descriptors\n", count,
		    count + 16);
		return 77;
	}
	if ((flood_ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    (conns = calloc(count, sizeof(*conns))) == NULL ||
	    (pfd = calloc(count, sizeof(*pfd))) == NULL) {
		fprintf(stderr, "connflood: out of memory\n");
		return 1;
	}
	SSL_CTX_set_verify(flood_ctx, SSL_VERIFY_NONE, NULL);
	for (i = 0; i < count; i++)
		conns[i].fd = -1;
	deadline = flood_now() + FLOOD_DEADLINE;
	for (;;) {
		held = done = talking = 0;
		for (i = 0, n = 0; i < count; i++) {
			struct flood_conn *c = &conns[i];

			if (c->state == FLOOD_IDLE && flood_attempts < 3 * count &&
			    flood_start(c) != 0)
				flood_fail(c);
			if (c->state == FLOOD_HELD)
				held++;
			else if (c->state == FLOOD_DONE)
				done++;
			else if (c->state != FLOOD_IDLE)
				talking++;
			if (c->fd >= 0) {
				pfd[n].fd = c->fd;
				pfd[n].events = c->events;
				pfd[n].revents = 0;
				n++;
			}
		}
		if (talking == 0 || flood_now() > deadline)
			break;
		if (poll(pfd, n, 1000) < 0 && errno != EINTR)
			break;
		for (i = 0, n = 0; i < count; i++) {
			struct flood_conn *c = &conns[i];

			if (c->fd < 0)
				continue;
			if (pfd[n++].revents != 0)
				flood_step(c);
		}
	}
	printf("replies-401: %lu\nother-replies: %lu\nfailed: %lu\nattempts: %lu\n"
	    "held: %lu\nclosed-by-server: %lu\nready\n", flood_401, flood_other, flood_failed,
	    flood_attempts, held, done);
	fflush(stdout);
	/* Hold what is still open until killed. */
	for (;;)
		pause();
}
