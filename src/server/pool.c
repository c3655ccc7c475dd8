/* SPDX-License-Identifier: ISC */
/*
 * Worker threads with a bounded FIFO and a completion list drained on the
 * loop thread. The queue bound turns overload into an immediate 503
 * instead of unbounded latency. Workers never touch the event loop or a
 * request: they only run the job's work function.
 */
#include "server/pool.h"
#include "common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#define POOL_MAX_THREADS	256

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pool_job *head, *tail;	/* waiting jobs */
	unsigned queued, running, max_queue;
	int stopping;
	pthread_t threads[POOL_MAX_THREADS];
	unsigned nthreads;
	pthread_mutex_t dmu;
	struct pool_job *dhead, *dtail;	/* completions for the loop */
	int wake[2];			/* pipe: worker -> loop */
	struct event *ev;
};

static void
pool_wake(struct pool *p)
{
	char c = 1;
	ssize_t n;

	/* A full pipe already guarantees a wake-up: EAGAIN is fine. */
	do
		n = write(p->wake[1], &c, 1);
	while (n < 0 && errno == EINTR);
}

void
pool_post(struct pool *p, struct pool_job *j)
{
	int was_empty;

	j->next = NULL;
	pthread_mutex_lock(&p->dmu);
	was_empty = p->dhead == NULL;
	if (p->dtail != NULL)
		p->dtail->next = j;
	else
		p->dhead = j;
	p->dtail = j;
	pthread_mutex_unlock(&p->dmu);
	if (was_empty)
		pool_wake(p);
}

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	struct pool_job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head == NULL && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if ((j = p->head) == NULL)
			break;
		if ((p->head = j->next) == NULL)
			p->tail = NULL;
		p->queued--;
		p->running++;
		pthread_mutex_unlock(&p->mu);
		j->work(j->arg);
		pool_post(p, j);
		pthread_mutex_lock(&p->mu);
		p->running--;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

void
pool_drain(struct pool *p)
{
	struct pool_job *j, *next;
	char buf[256];

	while (read(p->wake[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&p->dmu);
	j = p->dhead;
	p->dhead = p->dtail = NULL;
	pthread_mutex_unlock(&p->dmu);
	for (; j != NULL; j = next) {
		next = j->next;
		j->done(j->arg);
	}
}

static void
pool_readable(evutil_socket_t fd, short what, void *arg)
{
	pool_drain(arg);
}

int
pool_new(struct event_base *base, unsigned nthreads, unsigned max_queue,
    struct pool **out)
{
	struct pool *p;
	int rc = SKM_ENOMEM, i;

	*out = NULL;
	if (nthreads == 0)
		nthreads = 1;
	if (nthreads > POOL_MAX_THREADS)
		nthreads = POOL_MAX_THREADS;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return SKM_ENOMEM;
	p->wake[0] = p->wake[1] = -1;
	p->max_queue = max_queue;
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->dmu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pipe(p->wake) != 0) {
		rc = SKM_EIO;
		goto out;
	}
	for (i = 0; i < 2; i++)
		if (fcntl(p->wake[i], F_SETFL, O_NONBLOCK) != 0 ||
		    fcntl(p->wake[i], F_SETFD, FD_CLOEXEC) != 0) {
			rc = SKM_EIO;
			goto out;
		}
	if ((p->ev = event_new(base, p->wake[0], EV_READ | EV_PERSIST, pool_readable,
	    p)) == NULL || event_add(p->ev, NULL) != 0)
		goto out;
	for (; p->nthreads < nthreads; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, pool_worker, p) != 0) {
			rc = SKM_ENOMEM;
			goto out;
		}
	*out = p;
	p = NULL;
	rc = 0;
out:
	pool_free(p);
	return rc;
}

int
pool_submit(struct pool *p, struct pool_job *j)
{
	int rc = 0;

	j->next = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->stopping || p->queued >= p->max_queue)
		rc = SKM_EBUSY;
	else {
		if (p->tail != NULL)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		p->queued++;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

unsigned
pool_busy(struct pool *p)
{
	unsigned n;

	pthread_mutex_lock(&p->mu);
	n = p->queued + p->running;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void
pool_stop(struct pool *p)
{
	unsigned i;

	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	p->nthreads = 0;
}

void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	pool_stop(p);
	if (p->wake[0] >= 0)
		pool_drain(p);
	if (p->ev != NULL)
		event_free(p->ev);
	if (p->wake[0] >= 0)
		close(p->wake[0]);
	if (p->wake[1] >= 0)
		close(p->wake[1]);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->dmu);
	free(p);
}
