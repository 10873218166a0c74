/*
 * audit.h: the tamper-evident audit trail.
 *
 * Invariants:
 * - Append-only. Each event stores hash = BLAKE2b-256(prev_hash || canonical content), where
 *   prev_hash is the previous event's hash (32 zero bytes for the first) and the canonical
 *   content is every column, length-prefixed, including the event id. Editing, deleting or
 *   reordering events breaks the chain at the first affected event; audit_verify finds it.
 * - Events never carry personal data: who (user and organisation ids), what (action,
 *   object type and id), outcome and client address only.
 * - Appends are serialised by the database's write lock (BEGIN IMMEDIATE), so the chain has
 *   one order even with many threads and processes.
 * - Events of reads may be group-committed: while an audit_writer runs for a store,
 *   audit_append_read() queues the event (its time taken when it is queued) and returns; one
 *   thread appends everything queued in one transaction, so one disk write serves many
 *   readers. A crash loses at most the events queued since the last batch committed (see
 *   docs/security.md); a stop commits them all. Events of changes never wait in the queue:
 *   they are written with the change (audit_append_in_transaction) or by audit_append().
 * - Every reader of the trail (audit_query, audit_verify) first waits for the queue to be
 *   committed, so what was read before the query is in its answer.
 */
#ifndef PONTE_AUDIT_H
#define PONTE_AUDIT_H

#include "base/arena.h"
#include "store/store.h"

typedef struct audit_event {
	int64_t id;
	const char *time;
	int64_t user_id;         /* 0: nobody (failed login of an unknown account) */
	int64_t organisation_id; /* 0: none */
	const char *action;      /* "login", "user.read", "user.create", ... */
	const char *object_type; /* "user", "organisation", ... or "" */
	const char *object_id;   /* "" when none */
	const char *outcome;     /* "success", "failure" or "denied" */
	const char *client;      /* client address, "" from the command line */
} audit_event;

/* Append in its own transaction. */
int audit_append(store *db, const audit_event *e);
/* Append inside the caller's transaction (on the calling thread's connection). */
int audit_append_in_transaction(store *db, const audit_event *e);

/* The event of a read: queued to the store's audit_writer when one runs, appended in its own
 * transaction otherwise (and when the queue stays full). */
int audit_append_read(store *db, const audit_event *e);

typedef struct audit_writer audit_writer;
/* Start the group-commit writer of db's read events (one per store; a second is EEXIST). */
int audit_writer_start(store *db, audit_writer **out);
/* Commit everything queued, stop the thread and free the writer (NULL is a no-op). Returns
 * the number of events that could not be written (logged), normally 0. */
size_t audit_writer_stop(audit_writer *w);
/* Wait (at most 5 s) until every read event queued for db before the call is committed;
 * 0 at once when db has no writer. */
int audit_flush(store *db);

typedef struct audit_verify_result {
	int64_t events;
	int64_t first_bad_id; /* 0 when intact */
	char head[65];        /* hex hash of the last event */
	char why[256];
} audit_verify_result;

/* 0 when the chain is intact; PONTE_EINVAL (with first_bad_id and why) when it is not. */
int audit_verify(store *db, audit_verify_result *r);

typedef struct audit_filter {
	int64_t user_id;         /* 0: any */
	const char *action;      /* NULL: any */
	const char *object_type; /* NULL: any */
	const char *object_id;   /* NULL: any */
	const char *since;       /* RFC 3339, inclusive; NULL: any */
	const char *until;       /* RFC 3339, exclusive; NULL: any */
	int limit;               /* 0: 1000 */
} audit_filter;

typedef int (*audit_fn)(const audit_event *e, void *ctx);
/* Newest first. */
int audit_query(store *db, arena *a, const audit_filter *f, audit_fn fn, void *ctx);

#endif
