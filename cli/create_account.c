/*
 * create_account.c -- `ticketmonster-web create-admin NAME` and `create-staff NAME`: the
 * console's tm_create_admin / tm_create_staff with the password as a bound parameter, so it
 * is in no SQL text, no shell history and no server log (`SELECT tm_create_admin('x', 'pw')`
 * typed into psql puts it in the log whenever the statement fails or is logged).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int
cli_create_account(int argc, char **argv)
{
	const char *command = argv[0];
	bool		admin = strcmp(command, "create-admin") == 0;
	const char *kind = admin ? "admin" : "staff";
	char		prompt[128];
	char	   *password;
	PGconn	   *conn;
	bool		ok;

	if (argc != 2 || !*argv[1])
		return cli_fail(command, "usage: ticketmonster-web %s NAME (the password comes from "
						"standard input or a prompt)", command);
	snprintf(prompt, sizeof(prompt), "Password for the new %s account: ", kind);
	password = cli_read_password(command, prompt);
	if (!password)
		return 1;
	conn = cli_admin_connect(command);
	if (!conn)
	{
		cli_forget_password(password);
		return 1;
	}
	{
		const char *params[] = {argv[1], password};

		ok = cli_exec(conn, command, admin ? "tm_create_admin failed" : "tm_create_staff failed",
					  admin ? "SELECT tm_create_admin($1, $2)" : "SELECT tm_create_staff($1, $2)",
					  2, params, NULL);
	}
	cli_forget_password(password);
	PQfinish(conn);
	if (!ok)
		return 1;
	printf("ticketmonster-web %s: %s account \"%s\" created\n", command, kind, argv[1]);
	return 0;
}
