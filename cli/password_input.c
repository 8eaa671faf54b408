/*
 * password_input.c -- a password from a person at a terminal (no echo, typed twice) or from
 * a pipe (`... | ticketmonster-web create-admin boss`), never from the command line, where
 * every user of the machine could read it in the process list.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

enum { MAX_PASSWORD = 1024 };

/* One line of `in` without its line ending; NULL at end of input or when it is too long. */
static char *
read_line(FILE *in)
{
	char	   *line = calloc(1, MAX_PASSWORD + 2);
	size_t		n;

	if (!line || !fgets(line, MAX_PASSWORD + 2, in))
	{
		free(line);
		return NULL;
	}
	n = strcspn(line, "\r\n");
	if (n > MAX_PASSWORD)
	{
		cli_forget_password(line);
		return NULL;
	}
	line[n] = '\0';
	return line;
}

/* Asks on the terminal with echo off, restoring the terminal whatever happens. */
static char *
ask(const char *prompt)
{
	struct termios saved, quiet;
	char	   *line;
	bool		restore = tcgetattr(STDIN_FILENO, &saved) == 0;

	/* Echo off before the prompt shows: whatever is typed after it is never displayed. */
	if (restore)
	{
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	line = read_line(stdin);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	return line;
}

char *
cli_read_password(const char *command, const char *prompt)
{
	char	   *password, *again;

	if (!isatty(STDIN_FILENO))
	{
		password = read_line(stdin);
		if (!password || !*password)
		{
			cli_forget_password(password);
			cli_fail(command, "no password on standard input (one line, at most %d bytes)", MAX_PASSWORD);
			return NULL;
		}
		return password;
	}
	password = ask(prompt);
	if (!password || !*password)
	{
		cli_forget_password(password);
		cli_fail(command, "no password given");
		return NULL;
	}
	again = ask("Again: ");
	if (!again || strcmp(password, again) != 0)
	{
		cli_forget_password(password);
		cli_forget_password(again);
		cli_fail(command, "the passwords differ");
		return NULL;
	}
	cli_forget_password(again);
	return password;
}

void
cli_forget_password(char *password)
{
	if (!password)
		return;
	explicit_bzero(password, strlen(password));
	free(password);
}
