/* SPDX-License-Identifier: ISC */
/*
 * The audit writer thread. An LMDB commit costs an fsync; one commit per
 * key set would cap the rollover storm at the disk's sync rate, so every
 * record that arrived while the previous commit ran goes into the next
 * transaction. A failed transaction fails every record in it: those
 * replies become 503 and no key material leaves without its audit entry.
 */
#include "server/auditq.h"
#include "common/err.h"
#include "store/audit.h"
#include "store/identity.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct auditq {
	struct store *st;
	struct pool *pool;
	int group;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct auditq_item *head, *tail;
	int stopping;
	pthread_t thread;
	int started;
	uint64_t commits;
};

static void
auditq_one(struct store_txn *t, struct auditq_item *it)
{
	struct identity_rec id;
	struct audit_rec ar;

	if (it->enroll && store_identity_get(t, (const uint8_t *)it->uri, it->uri_len,
	    &id) == SKM_ENOTFOUND) {
		/* A concurrent request may have enrolled it: checked above, so no EEXIST. */
		memset(&id, 0, sizeof(id));
		id.uri = (const uint8_t *)it->uri;
		id.uri_len = it->uri_len;
		id.role = IDENTITY_USER;
		id.created = it->time;
		id.valid_from = it->enroll_from;
		store_identity_put(t, &id, 0);
		memset(&ar, 0, sizeof(ar));
		ar.time = it->time;
		ar.actor = "skmsd";
		ar.action = "user enroll";
		ar.uri = (const uint8_t *)it->uri;
		ar.uri_len = it->uri_len;
		ar.detail = "enroll-on-first-token";
		store_audit_append(t, &ar, NULL);
	}
	memset(&ar, 0, sizeof(ar));
	ar.time = it->time;
	ar.actor = "skmsd";
	ar.action = it->action;
	ar.uri = (const uint8_t *)it->uri;
	ar.uri_len = it->uri_len;
	ar.detail = it->detail;
	store_audit_append(t, &ar, NULL);
}

static void
auditq_write(struct auditq *q, struct auditq_item *batch)
{
	struct auditq_item *it, *next;
	struct store_txn t;
	int rc;

	if ((rc = store_txn_begin(q->st, 1, &t)) == 0) {
		for (it = batch; it != NULL; it = it->next)
			auditq_one(&t, it);
		rc = store_txn_commit(&t);
	}
	pthread_mutex_lock(&q->mu);
	q->commits++;
	pthread_mutex_unlock(&q->mu);
	for (it = batch; it != NULL; it = next) {
		next = it->next;
		it->rc = rc;
		it->job.work = NULL;
		it->job.done = it->done;
		it->job.arg = it->arg;
		pool_post(q->pool, &it->job);
	}
}

static void *
auditq_writer(void *arg)
{
	struct auditq *q = arg;
	struct auditq_item *batch;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->head == NULL && !q->stopping)
			pthread_cond_wait(&q->cv, &q->mu);
		if ((batch = q->head) == NULL)
			break;
		if (q->group) {
			q->head = q->tail = NULL;
		} else {
			if ((q->head = batch->next) == NULL)
				q->tail = NULL;
			batch->next = NULL;
		}
		pthread_mutex_unlock(&q->mu);
		auditq_write(q, batch);
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int
auditq_new(struct store *st, struct pool *pool, int group, struct auditq **out)
{
	struct auditq *q;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return SKM_ENOMEM;
	q->st = st;
	q->pool = pool;
	q->group = group;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->thread, NULL, auditq_writer, q) != 0) {
		auditq_free(q);
		return SKM_ENOMEM;
	}
	q->started = 1;
	*out = q;
	return 0;
}

void
auditq_submit(struct auditq *q, struct auditq_item *it)
{
	it->next = NULL;
	it->rc = SKM_ESTATE;
	pthread_mutex_lock(&q->mu);
	if (q->tail != NULL)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

uint64_t
auditq_commits(struct auditq *q)
{
	uint64_t n;

	pthread_mutex_lock(&q->mu);
	n = q->commits;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void
auditq_free(struct auditq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stopping = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	if (q->started)
		pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
