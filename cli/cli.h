/*
 * cli.h -- the operator's commands of ticketmonster-web (`ticketmonster-web COMMAND ...`):
 * the release step and the console's account creation. They connect as the extension's
 * owner through ADMIN_DATABASE_URL; the web process never needs that URL.
 */
#ifndef TM_CLI_H
#define TM_CLI_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Runs argv[0] as a command with its arguments; the process's exit status. */
int			cli_run(int argc, char **argv);
void		cli_print_help(void);

/* The commands, one file each. */
int			cli_migrate(int argc, char **argv);
int			cli_create_account(int argc, char **argv);

/*
 * Prints "ticketmonster-web COMMAND: <message>" as one line on stderr (newlines inside a
 * message become spaces) and returns 1, the exit status of a failed command.
 */
int			cli_fail(const char *command, const char *format,...)
			__attribute__((format(printf, 2, 3)));

/*
 * A connection as the extension's owner, from ADMIN_DATABASE_URL; NULL after cli_fail().
 * Statements and their parameters are kept out of the server's log for this session as far
 * as the role may decide it, since they carry passwords and keys.
 */
PGconn	   *cli_admin_connect(const char *command);

/*
 * Runs `sql` with text parameters; true if it succeeded (the result in *out, if given, to be
 * PQclear'ed). On failure prints `what` and the server's primary message as one line.
 */
bool		cli_exec(PGconn *conn, const char *command, const char *what, const char *sql,
					 int nparams, const char *const *params, PGresult **out);

/* The server's primary message of a failed result, or libpq's own, on one line. */
const char *cli_error_line(PGconn *conn, const PGresult *res);

/*
 * Reads a password: from the terminal, without echo and asked twice, when standard input is
 * one; else the first line of standard input. NULL after cli_fail().
 */
char	   *cli_read_password(const char *command, const char *prompt);
void		cli_forget_password(char *password);

#endif
