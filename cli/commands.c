/*
 * commands.c -- `ticketmonster-web COMMAND`: the table of commands and the shared one-line
 * failure report (a release phase shows its command's last line; make it the reason).
 */
#include "cli.h"
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct
{
	const char *name;
	int			(*run) (int argc, char **argv);
	const char *usage;
}			commands[] = {
	{"migrate", cli_migrate,
	"migrate                 the release step: create or update the extension, grant the\n"
	"                          web role of DATABASE_URL ticketmonster_web, store SECRET_KEY\n"},
	{"create-admin", cli_create_account,
	"create-admin NAME       make an admin account; password from standard input or a prompt\n"},
	{"create-staff", cli_create_account,
	"create-staff NAME       make a door staff account (ticket check-in only), likewise\n"},
	{"import", import_main,
	"import SOURCE           bring in the original app's data (a postgres:// URL or a SQLite\n"
	"                          file) in one transaction, with a report; --help for its options\n"},
};

int
cli_run(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].run(argc, argv);
	fprintf(stderr, "ticketmonster-web: unknown command \"%s\" (see --help)\n", argv[0]);
	return 2;
}

void
cli_print_help(void)
{
	printf("\nCommands (as the extension's owner, through ADMIN_DATABASE_URL):\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %s", commands[i].usage);
	printf("\n  ADMIN_DATABASE_URL  URL of a role owning the extension (a superuser to create it)\n"
		   "  PRODUCTION          migrate refuses the development key and weak keys\n");
}

int
cli_fail(const char *command, const char *format,...)
{
	char		line[2048];
	va_list		args;

	va_start(args, format);
	vsnprintf(line, sizeof(line), format, args);
	va_end(args);
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	for (size_t n = strlen(line); n > 0 && line[n - 1] == ' '; n--)
		line[n - 1] = '\0';
	fprintf(stderr, "ticketmonster-web %s: %s\n", command, line);
	return 1;
}
