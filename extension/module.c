/*
 * module.c
 *		Module magic and the extension's settings.
 */
#include "ticketmonster.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

/*
 * The signing key arrives per session from the web process (libpq "options", so it is in
 * neither SQL text nor the logs) and is hidden from SHOW ALL; it is never stored in a table.
 */
char	   *tm_secret_key = NULL;
int			tm_token_ttl = 600;
int			tm_password_cost = 5;
int			tm_initial_credit = 200;
int			tm_signups_per_hour = 10;
int			tm_cancel_before_hours = 48;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomStringVariable("ticketmonster.secret_key",
							   "Key that signs and verifies login tokens.",
							   NULL,
							   &tm_secret_key,
							   NULL,
							   PGC_USERSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("ticketmonster.token_ttl",
							"Lifetime of login tokens.",
							NULL,
							&tm_token_ttl,
							600, 1, 30 * 24 * 3600,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	/* Superuser-only, so that a web client cannot weaken the hashes it creates. */
	DefineCustomIntVariable("ticketmonster.password_cost",
							"yescrypt cost of new password hashes (tests lower it).",
							NULL,
							&tm_password_cost,
							5, 1, 11,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	/*
	 * Set by the database's owner (ALTER DATABASE ... SET, as a superuser): the web role can
	 * neither change (PGC_SUSET) nor read (GUC_SUPERUSER_ONLY) them.
	 */
	DefineCustomIntVariable("ticketmonster.initial_credit",
							"What a new account starts with.",
							NULL,
							&tm_initial_credit,
							200, 0, 1000000000,
							PGC_SUSET,
							GUC_SUPERUSER_ONLY,
							NULL, NULL, NULL);

	DefineCustomIntVariable("ticketmonster.signups_per_hour",
							"New accounts per client address per hour (0: no limit).",
							NULL,
							&tm_signups_per_hour,
							10, 0, 1000000,
							PGC_SUSET,
							GUC_SUPERUSER_ONLY,
							NULL, NULL, NULL);

	/* Superuser-only too: the web role must not be able to extend its own refund window. */
	DefineCustomIntVariable("ticketmonster.cancel_before_hours",
							"Orders can be cancelled until this many hours before their event starts.",
							NULL,
							&tm_cancel_before_hours,
							48, 0, 24 * 366,
							PGC_SUSET,
							GUC_SUPERUSER_ONLY,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("ticketmonster");
}
