/* SPDX-License-Identifier: ISC */
/*
 * The worker pool of skmsd: threads that run jobs off the event loop
 * (key-set derivation), a bounded queue in front of them, and a way back:
 * each job's completion runs on the loop thread, woken through a pipe
 * read by an event on the loop. Other threads (the audit writer) post
 * completions the same way. A job can be homed on another loop
 * (server.threads): its completion then runs on that loop's thread,
 * with no hop through the first. The pool never allocates per job: the
 * caller embeds a struct pool_job in its own context.
 */
#ifndef SKM_SERVER_POOL_H
#define SKM_SERVER_POOL_H

#include <stddef.h>

struct event_base;
struct pool;
struct pool_ret;

typedef void pool_fn(void *arg);

struct pool_job {
	pool_fn *work;		/* on a worker; NULL for a posted completion */
	pool_fn *done;		/* on the loop thread, after work */
	void *arg;
	struct pool_ret *ret;	/* pool_job_home(); NULL (zeroed): the pool's base */
	struct pool_job *next;	/* the pool's */
};

/*
 * nthreads workers (at least 1) and a queue of at most max_queue waiting
 * jobs, with completions run on base. Free with pool_free().
 */
int pool_new(struct event_base *base, unsigned nthreads, unsigned max_queue,
    struct pool **out);

/*
 * Makes j->done run on base's thread (call from that thread, which runs
 * base). The first call for a base sets up its wake-up; without memory
 * for it j stays with the pool's base, which still works.
 */
void pool_job_home(struct pool *p, struct pool_job *j, struct event_base *base);

/* Queues j (loop thread); SKM_EBUSY when the queue is full or stopping. */
int pool_submit(struct pool *p, struct pool_job *j);

/* Runs j->done on the loop thread soon; from any thread, never fails. */
void pool_post(struct pool *p, struct pool_job *j);

/* Jobs queued or running. */
unsigned pool_busy(struct pool *p);

/* Lets the workers finish every queued job, then joins them. */
void pool_stop(struct pool *p);

/*
 * Runs every pending completion now, those homed on other loops too, on
 * the calling thread: only when no other loop runs any more.
 */
void pool_drain(struct pool *p);

/* pool_stop(), pool_drain(), then frees p; NULL is ignored. */
void pool_free(struct pool *p);

#endif
