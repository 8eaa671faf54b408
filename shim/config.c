/*
 * config.c -- environment variables -> Config. Heroku-style: everything comes from the
 * environment, and a production process refuses to run on development defaults.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "secret_key.h"

/* Where the page is when STATIC_DIR is not set: `static` of a checkout, or where a package put it. */
#ifndef TM_STATIC_DIR
#define TM_STATIC_DIR "static"
#endif

Config		config;

static const char *
env_or(const char *name, const char *fallback)
{
	const char *value = getenv(name);

	return (value && *value) ? value : fallback;
}

static bool
env_true(const char *name)
{
	const char *value = env_or(name, "");

	return strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
		strcasecmp(value, "yes") == 0 || strcasecmp(value, "on") == 0;
}

/* A whole decimal number within [min, max], or false. */
static bool
env_number(const char *name, long fallback, long min, long max, long *out)
{
	const char *text = env_or(name, NULL);
	char	   *end;
	long		value;

	if (!text)
	{
		*out = fallback;
		return true;
	}
	value = strtol(text, &end, 10);
	if (*end != '\0' || value < min || value > max)
	{
		fprintf(stderr, "ticketmonster-web: %s must be a number from %ld to %ld, not \"%s\"\n",
				name, min, max, text);
		return false;
	}
	*out = value;
	return true;
}

bool
config_load(void)
{
	long		port, ttl, max_age, concurrency, per_address, head, body, password_requests;
	long		http_threads, queue_limit, queue_timeout, cache_age;
	static char static_dir[PATH_MAX];

	/* PORT=0: a port the kernel picks when binding, printed at start (what the tests use). */
	if (!env_number("PORT", 5000, 0, 65535, &port) ||
		!env_number("TOKEN_TTL", 600, 1, 30 * 24 * 3600, &ttl) ||
		!env_number("TOKEN_MAX_AGE", 43200, 1, 30 * 24 * 3600, &max_age) ||
		!env_number("WEB_CONCURRENCY", 4, 1, 256, &concurrency) ||
		!env_number("MAX_CONNECTIONS_PER_ADDRESS", 64, 1, CONNECTION_LIMIT / 2, &per_address) ||
		!env_number("HEAD_TIMEOUT", 10, 1, 300, &head) ||
		!env_number("BODY_TIMEOUT", 30, 1, 300, &body) ||
		!env_number("PASSWORD_REQUESTS_PER_ADDRESS", 1, 1, 256, &password_requests) ||
		!env_number("HTTP_THREADS", 2, 1, 64, &http_threads) ||
		!env_number("DB_QUEUE_LIMIT", 512, 1, CONNECTION_LIMIT, &queue_limit) ||
		!env_number("DB_QUEUE_TIMEOUT_MS", 5000, 1, 600000, &queue_timeout) ||
		/* the contract's bound: a committed change is visible within 1 second */
		!env_number("CACHE_MAX_AGE_MS", 1000, 0, 1000, &cache_age))
		return false;
	config.http_threads = (unsigned int) http_threads;
	config.db_queue_limit = (unsigned int) queue_limit;
	config.db_queue_timeout_ms = (unsigned int) queue_timeout;
	config.cache_max_age_ms = (unsigned int) cache_age;
	config.max_connections_per_address = (unsigned int) per_address;
	config.head_timeout = (unsigned int) head;
	config.body_timeout = (unsigned int) body;
	config.password_requests_per_address = (unsigned int) password_requests;
	config.port = (unsigned int) port;
	config.token_ttl = (int) ttl;
	config.token_max_age = (int) max_age;
	config.trust_proxy = env_true("TRUST_PROXY");
	config.web_concurrency = (unsigned int) concurrency;
	config.production = env_true("PRODUCTION");
	/* Handed to libpq as they are: it parses every form (several hosts, query parameters). */
	config.database_url = env_or("DATABASE_URL", "");
	config.read_database_url = env_or("READ_DATABASE_URL", "");
	config.cors_origins = env_or("CORS_ORIGINS", NULL);
	config.legacy_clients = env_true("LEGACY_CLIENTS");
	if (config.legacy_clients)
		fprintf(stderr, "ticketmonster-web: warning: LEGACY_CLIENTS is on: anyone may read any "
				"account's balance and admin flag with GET /account/<username>\n");

	/*
	 * The web process signs nothing: the release step (`ticketmonster-web migrate`) stores
	 * SECRET_KEY in the database. But a production deployment's settings (Heroku's config
	 * vars) reach both, so a missing or weak key here is one there: refuse to serve.
	 */
	config.secret_key = env_or("SECRET_KEY", NULL);
	if (config.production && secret_key_weakness(config.secret_key))
	{
		fprintf(stderr, "ticketmonster-web: PRODUCTION is set and SECRET_KEY is %s: it must be a "
				"random string of at least %d characters (e.g. `openssl rand -hex 32`); refusing to start\n",
				secret_key_weakness(config.secret_key), MIN_SECRET_KEY_LENGTH);
		return false;
	}
	if (!config.secret_key)
		fprintf(stderr, "ticketmonster-web: warning: SECRET_KEY is not set: fine for development, "
				"where the database's signing key was set by tools/dev-run or `ticketmonster-web "
				"migrate`; PRODUCTION requires it\n");

	/* Resolved once, so that every static file can be checked against this prefix. */
	if (!realpath(env_or("STATIC_DIR", TM_STATIC_DIR), static_dir))
	{
		fprintf(stderr, "ticketmonster-web: warning: STATIC_DIR %s not found; no web page is served\n",
				env_or("STATIC_DIR", TM_STATIC_DIR));
		static_dir[0] = '\0';
	}
	config.static_dir = static_dir;
	return true;
}

void
config_print_help(const char *argv0)
{
	printf("usage: %s\n"
		   "\n"
		   "TicketMonster's HTTP server: maps the REST API to the ticketmonster extension's\n"
		   "tm_* functions and serves the web page. Configured by environment variables:\n"
		   "\n"
		   "  PORT             port to listen on (default 5000; 0: any free port, printed)\n"
		   "  DATABASE_URL     postgres:// or postgresql:// URL (sslmode etc. honoured);\n"
		   "                   empty: libpq's PGHOST, PGPORT, PGUSER, PGDATABASE. Several\n"
		   "                   hosts with target_session_attrs=read-write follow the primary:\n"
		   "                   postgresql://h1:5432,h2:5432,h3:5432/db?target_session_attrs=read-write\n"
		   "  READ_DATABASE_URL  optional URL for public reads (events, artists), e.g. the\n"
		   "                   same hosts with target_session_attrs=prefer-standby; a\n"
		   "                   caller's own data and all writes always use DATABASE_URL\n"
		   "  SECRET_KEY       the token signing key that `migrate` stores in the database\n"
		   "                   (required with PRODUCTION, though the server only checks it)\n"
		   "  PRODUCTION       true/1/yes: refuse a weak SECRET_KEY (the development key,\n"
		   "                   < 32 characters, low variety) and a database superuser\n"
		   "  TOKEN_TTL        lifetime of login tokens in seconds (default 600)\n"
		   "  TOKEN_MAX_AGE    seconds after a password login beyond which POST /token no\n"
		   "                   longer renews its tokens (default 43200)\n"
		   "  TRUST_PROXY      true/1/yes: the client's address (throttling) is the last\n"
		   "                   X-Forwarded-For address, as Heroku's router appends it\n"
		   "                   (default: the TCP peer; the header is ignored)\n"
		   "  CORS_ORIGINS     comma-separated origins allowed to call the API, or *\n"
		   "                   (default: none, same-origin only)\n"
		   "  STATIC_DIR       folder of the web page (default " TM_STATIC_DIR ")\n"
		   "  WEB_CONCURRENCY  database connections, each with its own thread (default 4,\n"
		   "                   which fits the connection limits of small hosted databases);\n"
		   "                   plus one for the cache's notifications\n"
		   "  HTTP_THREADS     threads doing HTTP only (default 2): they never\n"
		   "                   wait for the database, so files, /healthz and cached reads\n"
		   "                   always answer\n"
		   "  DB_QUEUE_LIMIT   requests that may wait for a database connection (default 512);\n"
		   "                   one more is answered 503 busy at once\n"
		   "  DB_QUEUE_TIMEOUT_MS  how long a request may wait for a database connection\n"
		   "                   before it is answered 503 busy + Retry-After (default 5000);\n"
		   "                   a call that has started is never cut short\n"
		   "  CACHE_MAX_AGE_MS public reads (events, artists) are served from memory at most\n"
		   "                   this long after their query started (default 100, at most\n"
		   "                   1000, the API's bound; 0: never from memory): how late other\n"
		   "                   processes' sales show; edits are notified and show sooner\n"
		   "  MAX_CONNECTIONS_PER_ADDRESS  open connections one client address may hold\n"
		   "                   (default 64, at most 500; the process takes 1000 in all)\n"
		   "  HEAD_TIMEOUT     seconds a client has to send a whole request head (default 10;\n"
		   "                   an idle kept-alive connection is closed after it too)\n"
		   "  BODY_TIMEOUT     seconds a client has to send a whole request body (default 30)\n"
		   "  PASSWORD_REQUESTS_PER_ADDRESS  password-hashing requests (login, sign-up,\n"
		   "                   password change) one address has in progress at once; more\n"
		   "                   wait their turn without holding a worker (default 1)\n"
		   "  LEGACY_CLIENTS   true/1/yes: serve frontends written for the original app, which\n"
		   "                   read GET /account/<username> without a token: such a request\n"
		   "                   answers the account's username, is_admin and available_money.\n"
		   "                   Privacy cost: ANYONE can then read every account's balance and\n"
		   "                   admin flag by name. Off by default; with a token the owner rule\n"
		   "                   applies as always\n",
		   argv0);
}
