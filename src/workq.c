/*
 * workq.c - the queue of a worker thread that takes groups (see workq.h).
 */
#include "workq.h"
#include "ocop.h"

/* The next pointer of item. */
static void **
next_of(const struct workq *q, void *item)
{
	return (void **)((char *)item + q->link);
}

void
workq_init(struct workq *q, size_t link, size_t (*weight)(const void *item))
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->wake, NULL);
	q->head = q->tail = NULL;
	q->link = link;
	q->weight = weight;
	q->depth = 0;
	q->stopping = 0;
}

void
workq_destroy(struct workq *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->wake);
}

int
workq_push(struct workq *q, void *item)
{
	*next_of(q, item) = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->stopping) {
		pthread_mutex_unlock(&q->mu);
		return OCOP_EREFUSED;
	}
	if (q->tail)
		*next_of(q, q->tail) = item;
	else
		q->head = item;
	q->tail = item;
	q->depth += q->weight(item);
	/* the worker sleeps only when nothing is queued */
	if (q->head == item)
		pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

void *
workq_take(struct workq *q, size_t cap, size_t *weight)
{
	void *first, *last;
	size_t w;

	pthread_mutex_lock(&q->mu);
	while (!q->head && !q->stopping)
		pthread_cond_wait(&q->wake, &q->mu);
	if (!q->head) {
		pthread_mutex_unlock(&q->mu);
		*weight = 0;
		return NULL;
	}
	first = last = q->head;
	w = q->weight(last);
	while (*next_of(q, last) && w + q->weight(*next_of(q, last)) <= cap) {
		last = *next_of(q, last);
		w += q->weight(last);
	}
	q->head = *next_of(q, last);
	if (!q->head)
		q->tail = NULL;
	*next_of(q, last) = NULL;
	q->depth -= w;
	pthread_mutex_unlock(&q->mu);
	*weight = w;
	return first;
}

int
workq_stop(struct workq *q)
{
	int was;

	pthread_mutex_lock(&q->mu);
	was = q->stopping;
	q->stopping = 1;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->mu);
	return !was;
}

size_t
workq_depth(struct workq *q)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->depth;
	pthread_mutex_unlock(&q->mu);
	return n;
}
