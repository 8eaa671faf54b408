/*
 * migrate.c -- `ticketmonster-web migrate`, the release step (Procfile `release:`, Heroku's
 * release phase, or by hand on a VM), run before each new version serves. As the
 * extension's owner (ADMIN_DATABASE_URL), in one transaction:
 *
 *   1. CREATE EXTENSION ticketmonster if it is missing, else ALTER EXTENSION ... UPDATE;
 *   2. the login role of DATABASE_URL gets ticketmonster_web, and it must have nothing more
 *      (no superuser, no owner's privileges, no other role): the web role's password must
 *      not be worth more than the API;
 *   3. SECRET_KEY becomes the current signing key (tm_signing_key_set, owner-only), the web
 *      process never holding it.
 *
 * Running it again changes nothing. Any failure rolls everything back and ends with one
 * line saying why and a non-zero status, which blocks the deploy.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../shim/secret_key.h"

static const char *const command = "migrate";

static bool
env_true(const char *name)
{
	const char *value = getenv(name);

	return value && (strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
					 strcasecmp(value, "yes") == 0 || strcasecmp(value, "on") == 0);
}

/* The user named in DATABASE_URL, or NULL after cli_fail(). Caller frees. */
static char *
web_role_of(const char *url)
{
	PQconninfoOption *options;
	char	   *error = NULL;
	char	   *role = NULL;

	if (!url || !*url)
	{
		cli_fail(command, "DATABASE_URL is not set (the web process's URL: its role is the one "
				 "granted ticketmonster_web)");
		return NULL;
	}
	options = PQconninfoParse(url, &error);
	if (!options)
	{
		cli_fail(command, "DATABASE_URL is not a valid connection URL: %s", error ? error : "out of memory");
		PQfreemem(error);
		return NULL;
	}
	for (PQconninfoOption *o = options; o->keyword; o++)
		if (strcmp(o->keyword, "user") == 0 && o->val && *o->val)
			role = strdup(o->val);
	PQconninfoFree(options);
	if (!role)
		cli_fail(command, "DATABASE_URL names no user: put the web process's login role in it "
				 "(postgresql://ROLE:PASSWORD@HOST/DATABASE)");
	return role;
}

/* Step 1; *before and *after get the versions ("" if it was missing). */
static bool
install_or_update(PGconn *conn, char *before, char *after, size_t size)
{
	PGresult   *res;

	if (!cli_exec(conn, command, "reading the extension's state",
				  "SELECT e.extversion, pg_catalog.pg_get_userbyid(e.extowner), "
				  "pg_catalog.pg_has_role(current_user, e.extowner, 'USAGE') "
				  "FROM pg_catalog.pg_extension e WHERE e.extname = 'ticketmonster'",
				  0, NULL, &res))
		return false;
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 2), "t") != 0)
	{
		cli_fail(command, "ADMIN_DATABASE_URL's role is not the owner of extension ticketmonster "
				 "(%s is): connect as that role", PQgetvalue(res, 0, 1));
		PQclear(res);
		return false;
	}
	snprintf(before, size, "%s", PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);

	if (!*before &&
		!cli_exec(conn, command, "cannot create extension ticketmonster",
				  "CREATE EXTENSION ticketmonster", 0, NULL, NULL))
		return false;
	if (!cli_exec(conn, command, "cannot update extension ticketmonster",
				  "ALTER EXTENSION ticketmonster UPDATE", 0, NULL, NULL) ||
		!cli_exec(conn, command, "reading the extension's version",
				  "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'ticketmonster'",
				  0, NULL, &res))
		return false;
	snprintf(after, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

/* Step 2: refuses a web role with more power than the API, then grants the API. */
static bool
grant_web_role(PGconn *conn, const char *role, bool *granted)
{
	const char *params[] = {role};
	PGresult   *res;
	const char *too_much = NULL;
	char	   *quoted;
	char		sql[256];

	if (!cli_exec(conn, command, "reading DATABASE_URL's role",
				  "SELECT r.rolsuper, r.rolcreaterole OR r.rolbypassrls OR r.rolreplication, "
				  "pg_catalog.pg_has_role(r.oid, e.extowner, 'USAGE'), "
				  "coalesce((SELECT pg_catalog.string_agg(b.rolname, ', ' ORDER BY b.rolname) "
				  "  FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles b ON b.oid = m.roleid "
				  "  WHERE m.member = r.oid AND b.rolname <> 'ticketmonster_web'), ''), "
				  "EXISTS (SELECT FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles b "
				  "  ON b.oid = m.roleid WHERE m.member = r.oid AND b.rolname = 'ticketmonster_web'), "
				  "r.rolname = current_user "
				  "FROM pg_catalog.pg_roles r, pg_catalog.pg_extension e "
				  "WHERE r.rolname = $1 AND e.extname = 'ticketmonster'",
				  1, params, &res))
		return false;
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		cli_fail(command, "DATABASE_URL's role \"%s\" does not exist: create it first "
				 "(CREATE ROLE \"%s\" LOGIN PASSWORD '...')", role, role);
		return false;
	}
	if (strcmp(PQgetvalue(res, 0, 5), "t") == 0)
		too_much = "is ADMIN_DATABASE_URL's role";
	else if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		too_much = "is a superuser";
	else if (strcmp(PQgetvalue(res, 0, 1), "t") == 0)
		too_much = "has CREATEROLE, BYPASSRLS or REPLICATION";
	else if (strcmp(PQgetvalue(res, 0, 2), "t") == 0)
		too_much = "has the privileges of the extension's owner";
	else if (*PQgetvalue(res, 0, 3))
		too_much = PQgetvalue(res, 0, 3);
	if (too_much)
	{
		cli_fail(command, "DATABASE_URL's role \"%s\" %s%s: the web process must log in as a "
				 "role with ticketmonster_web and nothing else", role,
				 too_much == PQgetvalue(res, 0, 3) ? "is also a member of " : "", too_much);
		PQclear(res);
		return false;
	}
	*granted = strcmp(PQgetvalue(res, 0, 4), "t") != 0;
	PQclear(res);
	if (!*granted)
		return true;

	quoted = PQescapeIdentifier(conn, role, strlen(role));
	if (!quoted)
	{
		cli_fail(command, "cannot quote the role name: %s", cli_error_line(conn, NULL));
		return false;
	}
	snprintf(sql, sizeof(sql), "GRANT ticketmonster_web TO %s", quoted);
	PQfreemem(quoted);
	return cli_exec(conn, command, "cannot grant ticketmonster_web", sql, 0, NULL, NULL);
}

/* Step 3: the key, as a bound parameter; *kid and *changed from tm_signing_key_set's answer. */
static bool
store_signing_key(PGconn *conn, const char *key, char *kid, size_t size, bool *changed)
{
	const char *params[] = {key};
	PGresult   *res;
	json_t	   *answer;
	json_error_t error;

	if (!cli_exec(conn, command, "cannot store SECRET_KEY", "SELECT tm_signing_key_set($1)",
				  1, params, &res))
		return false;
	answer = json_loads(PQgetvalue(res, 0, 0), 0, &error);
	PQclear(res);
	if (!json_is_object(answer))
	{
		json_decref(answer);
		cli_fail(command, "tm_signing_key_set answered something else than an object");
		return false;
	}
	if (json_is_string(json_object_get(answer, "kid")))
		snprintf(kid, size, "%s", json_string_value(json_object_get(answer, "kid")));
	else if (json_is_integer(json_object_get(answer, "kid")))
		snprintf(kid, size, "%lld", (long long) json_integer_value(json_object_get(answer, "kid")));
	else
		snprintf(kid, size, "?");
	*changed = json_is_true(json_object_get(answer, "changed"));
	json_decref(answer);
	return true;
}

int
cli_migrate(int argc, char **argv)
{
	const char *key = getenv("SECRET_KEY");
	char		before[64], after[64], kid[128];
	char	   *role;
	bool		granted = false, changed = false;
	PGconn	   *conn;
	bool		ok;

	(void) argv;
	if (argc != 1)
		return cli_fail(command, "no arguments expected (configured by the environment: see --help)");
	if (!key || !*key)
		return cli_fail(command, "SECRET_KEY is not set (the key that signs login tokens, the "
						"same for every release: e.g. `openssl rand -hex 32`, kept in the config vars)");
	if (env_true("PRODUCTION") && secret_key_weakness(key))
		return cli_fail(command, "PRODUCTION is set and SECRET_KEY is %s: use a random key of at "
						"least %d characters (e.g. `openssl rand -hex 32`)",
						secret_key_weakness(key), MIN_SECRET_KEY_LENGTH);
	role = web_role_of(getenv("DATABASE_URL"));
	if (!role)
		return 1;
	conn = cli_admin_connect(command);
	if (!conn)
	{
		free(role);
		return 1;
	}

	/* Two releases at once (a retried deploy) take turns instead of racing on CREATE. */
	ok = cli_exec(conn, command, "cannot begin", "BEGIN", 0, NULL, NULL) &&
		cli_exec(conn, command, "cannot take the release lock",
				 "SELECT pg_catalog.pg_advisory_xact_lock(7406061100)", 0, NULL, NULL) &&
		install_or_update(conn, before, after, sizeof(before)) &&
		grant_web_role(conn, role, &granted) &&
		store_signing_key(conn, key, kid, sizeof(kid), &changed) &&
		cli_exec(conn, command, "cannot commit", "COMMIT", 0, NULL, NULL);
	PQfinish(conn);
	if (ok)
	{
		if (!*before)
			printf("ticketmonster-web migrate: extension ticketmonster %s created\n", after);
		else if (strcmp(before, after) != 0)
			printf("ticketmonster-web migrate: extension ticketmonster updated from %s to %s\n", before, after);
		else
			printf("ticketmonster-web migrate: extension ticketmonster %s, up to date\n", after);
		printf("ticketmonster-web migrate: role \"%s\" %s ticketmonster_web\n", role,
			   granted ? "granted" : "already has");
		printf("ticketmonster-web migrate: signing key %s (kid %s)\n",
			   changed ? "stored as the current key" : "unchanged", kid);
	}
	free(role);
	return ok ? 0 : 1;
}
