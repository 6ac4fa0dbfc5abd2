/*
 * workq.h - the queue between request threads and one worker thread that
 * takes what has queued meanwhile as a group (the scan log's writer, the
 * lookups' reader). Items are the caller's structs, linked through a
 * pointer of their own (link: its offset), each of a weight (scans, or 1);
 * a group is whole items up to a weight, in the order they came.
 */
#ifndef OCOP_WORKQ_H
#define OCOP_WORKQ_H

#include <pthread.h>
#include <stddef.h>

struct workq {
	pthread_mutex_t mu;
	pthread_cond_t wake; /* the worker: work or stop */
	void *head, *tail;
	size_t link; /* offsetof the items' next pointer */
	size_t (*weight)(const void *item);
	size_t depth; /* the weight queued */
	int stopping;
};

void workq_init(struct workq *q, size_t link,
		size_t (*weight)(const void *item));
void workq_destroy(struct workq *q);

/* Append item (its next pointer is set NULL). OCOP_EREFUSED once
 * workq_stop was called (item not queued), else 0. */
int workq_push(struct workq *q, void *item);

/* For the worker: wait for items, then take whole ones up to a total
 * weight of cap (at least one), as a list through their next pointers
 * ending in NULL; *weight their weight. NULL once stopped and empty. */
void *workq_take(struct workq *q, size_t cap, size_t *weight);

/* Refuse new items and wake the worker (which takes what is queued, then
 * NULL). 1 when this call stopped the queue, 0 when it was stopped. */
int workq_stop(struct workq *q);

/* The weight queued, not yet taken. */
size_t workq_depth(struct workq *q);

#endif
