/*
 * password.c
 *		Password hashes through libxcrypt: yescrypt for new ones; bcrypt and the original
 *		app's sha512_crypt and sha256_crypt (passlib) still verify, so imported accounts
 *		can log in.
 */
#include "ticketmonster.h"

#include <crypt.h>
#include <errno.h>

/*
 * Schemes that verify. The weak legacy ones libxcrypt also knows (DES truncates to eight
 * characters, MD5 is fast) never authenticate, even if such a hash found its way in.
 */
static const char *const verifiable_prefixes[] = {
	"$y$", "$2b$", "$2a$", "$2y$", "$6$", "$5$"
};

/* True when the setting (a hash or a salt) belongs to a scheme we accept. */
static bool
verifiable(const char *setting)
{
	for (size_t i = 0; i < lengthof(verifiable_prefixes); i++)
		if (strncmp(setting, verifiable_prefixes[i], strlen(verifiable_prefixes[i])) == 0)
			return true;
	return false;
}

/*
 * crypt_rn() into palloc'd state (struct crypt_data is 32 kB: too big for the stack);
 * returns a palloc'd copy of the result, or NULL when libxcrypt rejects the setting.
 */
static char *
xcrypt(const char *password, const char *setting)
{
	struct crypt_data *data = palloc0(sizeof(struct crypt_data));
	char	   *result = crypt_rn(password, setting, data, sizeof(struct crypt_data));

	if (result != NULL)
		result = pstrdup(result);
	/* the state holds the password and the hash */
	explicit_bzero(data, sizeof(struct crypt_data));
	pfree(data);
	return result;
}

/* For imports: would tm_password_verify() check a password against this hash? */
bool
tm_password_hash_verifiable(const char *hash)
{
	return verifiable(hash);
}

char *
tm_password_hash(const char *password)
{
	char		salt[CRYPT_GENSALT_OUTPUT_SIZE];
	char	   *hash;

	errno = 0;
	if (crypt_gensalt_rn("$y$", tm_password_cost, NULL, 0, salt, sizeof(salt)) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not make a password salt: %m")));
	hash = xcrypt(password, salt);
	if (hash == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not hash the password: %m")));
	return hash;
}

/* A stored hash that is malformed, or of a scheme we do not accept, never matches. */
bool
tm_password_verify(const char *password, const char *hash)
{
	char	   *computed;
	size_t		len = strlen(hash);
	bool		match;

	if (!verifiable(hash))
		return false;
	computed = xcrypt(password, hash);
	if (computed == NULL)
		return false;
	/* constant time, so that timing tells nothing about how much of the hash matched */
	match = strlen(computed) == len && timingsafe_bcmp(computed, hash, len) == 0;
	pfree(computed);
	return match;
}
