/*
 * module.c
 *		Module magic and the extension's settings.
 */
#include "ticketmonster.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

/*
 * The token lifetimes come per session from the web process (TOKEN_TTL, TOKEN_MAX_AGE); the
 * signing keys are in the signing_keys table, never in a setting.
 */
int			tm_token_ttl = 600;
int			tm_token_max_age = 43200;
int			tm_password_cost = 5;
int			tm_initial_credit = 200;
int			tm_signups_per_hour = 10;
int			tm_cancel_before_hours = 48;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("ticketmonster.token_ttl",
							"Lifetime of login tokens.",
							NULL,
							&tm_token_ttl,
							600, 1, 30 * 24 * 3600,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	/* A session's tokens, renewed or not, are never valid longer than this after its login. */
	DefineCustomIntVariable("ticketmonster.token_max_age",
							"Longest a login session lasts, however often its token is renewed.",
							NULL,
							&tm_token_max_age,
							43200, 1, 30 * 24 * 3600,
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
