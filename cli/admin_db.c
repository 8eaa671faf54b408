/*
 * admin_db.c -- the owner's connection of the commands (ADMIN_DATABASE_URL), and running
 * statements on it with bound parameters and one-line errors.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const char *
cli_error_line(PGconn *conn, const PGresult *res)
{
	static char line[1024];
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *text = primary ? primary : res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
	size_t		n;

	/* libpq's own messages continue on further lines with hints for the other cases */
	n = strcspn(text, "\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, text, n);
	line[n] = '\0';
	return line;
}

/*
 * Best effort: a superuser (or a role granted SET on these parameters) keeps this session's
 * statements and bound parameters out of the log; others are still protected from the
 * usual settings, since passwords only ever travel as parameters, never in SQL text.
 */
static void
keep_out_of_log(PGconn *conn)
{
	static const char *const settings[] = {
		"SET log_parameter_max_length_on_error = 0",
		"SET log_parameter_max_length = 0",
		"SET log_statement = 'none'",
		"SET log_min_duration_statement = -1",
	};

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		PQclear(PQexec(conn, settings[i]));
}

PGconn *
cli_admin_connect(const char *command)
{
	const char *url = getenv("ADMIN_DATABASE_URL");
	const char *keywords[] = {"fallback_application_name", "connect_timeout", "dbname",
	"client_encoding", NULL};
	const char *values[] = {"ticketmonster-web", "10", url, "UTF8", NULL};
	PGconn	   *conn;

	if (!url || !*url)
	{
		cli_fail(command, "ADMIN_DATABASE_URL is not set (the URL of the extension's owner, "
				 "e.g. postgresql://postgres@db.example/ticketmonster)");
		return NULL;
	}
	conn = PQconnectdbParams(keywords, values, 1);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		/* never the URL itself: it may hold a password */
		cli_fail(command, "cannot connect with ADMIN_DATABASE_URL: %s", cli_error_line(conn, NULL));
		PQfinish(conn);
		return NULL;
	}
	keep_out_of_log(conn);
	/* notices (e.g. "role is already a member") are not failures; keep stderr to one line */
	PQclear(PQexec(conn, "SET client_min_messages = warning"));
	return conn;
}

bool
cli_exec(PGconn *conn, const char *command, const char *what, const char *sql,
		 int nparams, const char *const *params, PGresult **out)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType status = PQresultStatus(res);

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
	{
		cli_fail(command, "%s: %s", what, cli_error_line(conn, res));
		PQclear(res);
		return false;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return true;
}
