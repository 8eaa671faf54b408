/*
 * config.h -- the process's settings, read once from the environment at startup.
 */
#ifndef TM_CONFIG_H
#define TM_CONFIG_H

#include <stdbool.h>

typedef struct Config
{
	unsigned int port;
	const char *database_url;	/* "" lets libpq use PGHOST/PGPORT/... */
	const char *read_database_url;	/* "": public reads use database_url too */
	const char *secret_key;
	int			token_ttl;
	int			token_max_age;
	bool		trust_proxy;	/* the last X-Forwarded-For address is the client's */
	bool		production;
	const char *cors_origins;	/* NULL: no CORS headers at all */
	const char *static_dir;		/* absolute, resolved with realpath */
	unsigned int web_concurrency;	/* database connections (db_queue.c) */
	unsigned int http_threads;	/* threads doing HTTP I/O only */
	unsigned int db_queue_limit;	/* database calls waiting for a connection, at most */
	unsigned int db_queue_timeout_ms;	/* longest wait for a connection, then 503 busy */
	unsigned int cache_max_age_ms;	/* age limit of public reads kept in memory; 0: none kept */
	/* What one client may hold (docs/security.md): see config_print_help. */
	unsigned int max_connections_per_address;
	unsigned int head_timeout;	/* seconds for a whole request head */
	unsigned int body_timeout;	/* seconds for a whole request body */
	unsigned int password_requests_per_address;	/* at once, per address */
	bool		legacy_clients;	/* token-less GET /account/<username>, as the original */
} Config;

/* Connections of the whole process; the per-address limit must stay well under it. */
enum { CONNECTION_LIMIT = 1000 };

extern Config config;

/* Fills `config`; prints a message and returns false when the process must not start. */
bool		config_load(void);
void		config_print_help(const char *argv0);

#endif
