/*
 * stubs.c -- TEMPORARY: entry points not implemented yet, so that CREATE EXTENSION works
 * while the real files are written. Each one moves out of here when its file implements it;
 * this file is deleted when it is empty.
 */
#include "ticketmonster.h"

#include "fmgr.h"

#define TM_STUB(name) \
	PG_FUNCTION_INFO_V1(name); \
	Datum name(PG_FUNCTION_ARGS) \
	{ \
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg(#name " is not implemented yet"))); \
		PG_RETURN_NULL(); \
	}

/* accounts.c (with jwt.c and password.c) */
TM_STUB(tm_account_create)
TM_STUB(tm_login)
TM_STUB(tm_account)
TM_STUB(tm_account_delete)
TM_STUB(tm_accounts)
TM_STUB(tm_create_admin)
char *tm_token_issue(const char *username) { elog(ERROR, "not implemented"); return NULL; }
char *tm_token_subject(const char *token) { elog(ERROR, "not implemented"); return NULL; }
char *tm_password_hash(const char *password) { elog(ERROR, "not implemented"); return NULL; }
bool tm_password_verify(const char *password, const char *hash) { elog(ERROR, "not implemented"); return false; }

/* events.c and artists.c */
TM_STUB(tm_events)
TM_STUB(tm_event)
TM_STUB(tm_event_create)
TM_STUB(tm_event_update)
TM_STUB(tm_event_delete)
TM_STUB(tm_event_artists)
TM_STUB(tm_event_artist)
TM_STUB(tm_event_artist_add)
TM_STUB(tm_event_artist_remove)
TM_STUB(tm_artists)
TM_STUB(tm_artist)
TM_STUB(tm_artist_events)
TM_STUB(tm_artist_create)
TM_STUB(tm_artist_update)
TM_STUB(tm_artist_delete)

/* orders.c */
TM_STUB(tm_order_create)
TM_STUB(tm_account_orders)
TM_STUB(tm_orders)
