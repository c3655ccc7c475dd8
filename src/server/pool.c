/* SPDX-License-Identifier: ISC */
/*
 * Worker threads with a bounded FIFO and a completion list per loop,
 * each drained on its own loop thread. The queue bound turns overload
 * into an immediate 503 instead of unbounded latency. Workers never touch
 * an event loop or a request: they only run the job's work function.
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
#define POOL_RETS_MAX		64	/* loops with a completion list of their own */

/* Completions for one loop, woken through a pipe read on that loop. */
struct pool_ret {
	struct event_base *base;
	pthread_mutex_t mu;
	struct pool_job *head, *tail;
	int wake[2];			/* pipe: any thread -> the loop */
	struct event *ev;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pool_job *head, *tail;	/* waiting jobs */
	unsigned queued, running, max_queue;
	int stopping;
	pthread_t threads[POOL_MAX_THREADS];
	unsigned nthreads;
	struct pool_ret main;		/* the base given to pool_new() */
	pthread_mutex_t rmu;		/* rets, nrets */
	struct pool_ret *rets[POOL_RETS_MAX];
	unsigned nrets;
};

static void
pool_wake(struct pool_ret *r)
{
	char c = 1;
	ssize_t n;

	/* A full pipe already guarantees a wake-up: EAGAIN is fine. */
	do
		n = write(r->wake[1], &c, 1);
	while (n < 0 && errno == EINTR);
}

void
pool_post(struct pool *p, struct pool_job *j)
{
	struct pool_ret *r = j->ret != NULL ? j->ret : &p->main;
	int was_empty;

	j->next = NULL;
	pthread_mutex_lock(&r->mu);
	was_empty = r->head == NULL;
	if (r->tail != NULL)
		r->tail->next = j;
	else
		r->head = j;
	r->tail = j;
	pthread_mutex_unlock(&r->mu);
	if (was_empty)
		pool_wake(r);
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

static void
pool_ret_drain(struct pool_ret *r)
{
	struct pool_job *j, *next;
	char buf[256];

	while (read(r->wake[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&r->mu);
	j = r->head;
	r->head = r->tail = NULL;
	pthread_mutex_unlock(&r->mu);
	for (; j != NULL; j = next) {
		next = j->next;
		j->done(j->arg);
	}
}

void
pool_drain(struct pool *p)
{
	unsigned i;

	if (p->main.wake[0] >= 0)
		pool_ret_drain(&p->main);
	for (i = 0; i < p->nrets; i++)
		pool_ret_drain(p->rets[i]);
}

static void
pool_readable(evutil_socket_t fd, short what, void *arg)
{
	pool_ret_drain(arg);
}

/* r's list, pipe and event on base; pool_ret_fini() undoes it. */
static int
pool_ret_init(struct pool_ret *r, struct event_base *base)
{
	int i;

	r->base = base;
	r->wake[0] = r->wake[1] = -1;
	pthread_mutex_init(&r->mu, NULL);
	if (pipe(r->wake) != 0)
		return SKM_EIO;
	for (i = 0; i < 2; i++)
		if (fcntl(r->wake[i], F_SETFL, O_NONBLOCK) != 0 ||
		    fcntl(r->wake[i], F_SETFD, FD_CLOEXEC) != 0)
			return SKM_EIO;
	if ((r->ev = event_new(base, r->wake[0], EV_READ | EV_PERSIST, pool_readable,
	    r)) == NULL || event_add(r->ev, NULL) != 0)
		return SKM_ENOMEM;
	return 0;
}

static void
pool_ret_fini(struct pool_ret *r)
{
	if (r->ev != NULL)
		event_free(r->ev);
	if (r->wake[0] >= 0)
		close(r->wake[0]);
	if (r->wake[1] >= 0)
		close(r->wake[1]);
	pthread_mutex_destroy(&r->mu);
}

void
pool_job_home(struct pool *p, struct pool_job *j, struct event_base *base)
{
	struct pool_ret *r = NULL;
	unsigned i;

	j->ret = NULL;
	if (base == NULL || base == p->main.base)
		return;
	pthread_mutex_lock(&p->rmu);
	for (i = 0; i < p->nrets && r == NULL; i++)
		if (p->rets[i]->base == base)
			r = p->rets[i];
	if (r == NULL && p->nrets < POOL_RETS_MAX &&
	    (r = calloc(1, sizeof(*r))) != NULL) {
		if (pool_ret_init(r, base) == 0) {
			p->rets[p->nrets++] = r;
		} else {
			pool_ret_fini(r);
			free(r);
			r = NULL;
		}
	}
	pthread_mutex_unlock(&p->rmu);
	j->ret = r;
}

int
pool_new(struct event_base *base, unsigned nthreads, unsigned max_queue,
    struct pool **out)
{
	struct pool *p;
	int rc = SKM_ENOMEM;

	*out = NULL;
	if (nthreads == 0)
		nthreads = 1;
	if (nthreads > POOL_MAX_THREADS)
		nthreads = POOL_MAX_THREADS;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return SKM_ENOMEM;
	p->max_queue = max_queue;
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->rmu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if ((rc = pool_ret_init(&p->main, base)) != 0)
		goto out;
	rc = SKM_ENOMEM;
	for (; p->nthreads < nthreads; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, pool_worker, p) != 0)
			goto out;
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
	unsigned i;

	if (p == NULL)
		return;
	pool_stop(p);
	pool_drain(p);
	for (i = 0; i < p->nrets; i++) {
		pool_ret_fini(p->rets[i]);
		free(p->rets[i]);
	}
	pool_ret_fini(&p->main);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->rmu);
	free(p);
}
