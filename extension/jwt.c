/*
 * jwt.c
 *		Login tokens: JWTs signed with HMAC-SHA256 under a key of the signing_keys table.
 *
 * The server alone decides the algorithm: the signature is always checked as HS256, so a
 * token that says "alg": "none" or "HS512" simply fails to verify. The header is read before
 * the signature is checked only for its "kid", which picks the key to check it with; nothing
 * else of a token is used before its signature has been checked.
 *
 * The keys live in a table that only the extension's owner reads (these functions run as the
 * owner), so that the web role can verify tokens through the API but never mint one
 * (tm_signing_key_set in the install script chooses them).
 */
#include "ticketmonster.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "catalog/pg_type.h"
#include "common/hmac.h"
#include "common/jsonapi.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/numeric.h"

#define TOKEN_MAX_BYTES			4096
#define KID_MAX_BYTES			64

static TmStatement current_key = {
	"SELECT kid, secret FROM signing_keys WHERE retired_at IS NULL",
	0, {}
};

/*
 * The key a token names, if it may still verify it: the current key, or a retired one for
 * tokens issued up to its retirement (the token's iat is compared once it is authentic).
 */
static TmStatement key_by_kid = {
	"SELECT secret, pg_catalog.floor(extract(epoch FROM retired_at))::int8 FROM signing_keys"
	" WHERE kid = $1",
	1, {TEXTOID}
};

static const char b64url_alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void invalid_token(const char *detail) pg_attribute_noreturn();

static void
invalid_token(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_TM_UNAUTHENTICATED),
			 errmsg("invalid token"),
			 errdetail_internal("%s", detail),
			 errhint("Log in again to get a new token.")));
}

static void
sign(const char *key, const char *data, size_t len, uint8 *mac)
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (pg_hmac_init(ctx, (const uint8 *) key, strlen(key)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) data, len) < 0 ||
		pg_hmac_final(ctx, mac, PG_SHA256_DIGEST_LENGTH) < 0)
	{
		char	   *reason = pstrdup(pg_hmac_error(ctx));

		pg_hmac_free(ctx);
		elog(ERROR, "could not compute a token signature: %s", reason);
	}
	pg_hmac_free(ctx);
}

/* base64url without padding (RFC 7515) */
static void
append_b64url(StringInfo out, const uint8 *data, size_t len)
{
	uint32		bits = 0;
	int			nbits = 0;

	for (size_t i = 0; i < len; i++)
	{
		bits = (bits << 8) | data[i];
		nbits += 8;
		while (nbits >= 6)
		{
			nbits -= 6;
			appendStringInfoChar(out, b64url_alphabet[(bits >> nbits) & 63]);
		}
	}
	if (nbits > 0)
		appendStringInfoChar(out, b64url_alphabet[(bits << (6 - nbits)) & 63]);
}

static int
b64url_value(char c)
{
	const char *p = c != '\0' ? strchr(b64url_alphabet, c) : NULL;

	return p != NULL ? (int) (p - b64url_alphabet) : -1;
}

/*
 * Strict base64url: the URL-safe alphabet only, no padding, and unused trailing bits zero,
 * so that every byte string has exactly one spelling.
 */
static bool
b64url_decode(const char *s, size_t len, StringInfo out)
{
	uint32		bits = 0;
	int			nbits = 0;

	if (len % 4 == 1)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		int			value = b64url_value(s[i]);

		if (value < 0)
			return false;
		bits = (bits << 6) | value;
		nbits += 6;
		if (nbits >= 8)
		{
			nbits -= 8;
			appendStringInfoChar(out, (char) ((bits >> nbits) & 0xFF));
		}
	}
	return (bits & ((1u << nbits) - 1)) == 0;
}

/* A segment that decodes to a JSON object, or NULL. Parses without throwing. */
static Jsonb *
json_segment(const char *segment, size_t len)
{
	StringInfoData json;
	JsonLexContext *lex;
	Jsonb	   *object;

	initStringInfo(&json);
	if (!b64url_decode(segment, len, &json) || !pg_verifymbstr(json.data, json.len, true))
		return NULL;
	lex = makeJsonLexContextCstringLen(json.data, json.len, GetDatabaseEncoding(), true);
	if (pg_parse_json(lex, &nullSemAction) != JSON_SUCCESS)
		return NULL;
	object = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(json.data)));
	return JB_ROOT_IS_OBJECT(object) ? object : NULL;
}

static JsonbValue *
json_field(Jsonb *object, const char *key, enum jbvType type)
{
	JsonbValue *value = getKeyJsonValueFromContainer(&object->root, key, strlen(key), NULL);

	return value != NULL && value->type == type ? value : NULL;
}

/* A missing key is a deployment step not taken, reported as such (a 500 to HTTP clients). */
static void no_key(void) pg_attribute_noreturn();

static void
no_key(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("no token signing key is set"),
			 errhint("As the extension's owner: SELECT tm_signing_key_set('<at least 32 random "
					 "characters>'), e.g. through ticketmonster-web migrate.")));
}

/*
 * A token of the session `session_id` of `username`, valid until `expires` (Unix time),
 * signed with the current key. Call after SPI_connect().
 */
char *
tm_token_issue(const char *username, int64 session_id, int64 expires)
{
	int64		now = (int64) time(NULL);
	bool		isnull;
	char	   *kid;
	char	   *key;
	StringInfoData header;
	StringInfoData payload;
	StringInfoData token;
	uint8		mac[PG_SHA256_DIGEST_LENGTH];

	if (tm_execute(&current_key, NULL, NULL) == 0)
		no_key();
	kid = TextDatumGetCString(tm_result(1, &isnull));
	key = TextDatumGetCString(tm_result(2, &isnull));

	initStringInfo(&header);
	appendStringInfoString(&header, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":");
	escape_json(&header, kid);
	appendStringInfoChar(&header, '}');

	initStringInfo(&payload);
	appendStringInfoString(&payload, "{\"sub\":");
	escape_json(&payload, username);
	appendStringInfo(&payload, ",\"sid\":" INT64_FORMAT ",\"iat\":" INT64_FORMAT
					 ",\"exp\":" INT64_FORMAT "}", session_id, now, expires);

	initStringInfo(&token);
	append_b64url(&token, (const uint8 *) header.data, header.len);
	appendStringInfoChar(&token, '.');
	append_b64url(&token, (const uint8 *) payload.data, payload.len);
	sign(key, token.data, token.len, mac);
	explicit_bzero(key, strlen(key));
	appendStringInfoChar(&token, '.');
	append_b64url(&token, mac, sizeof(mac));
	return token.data;
}

/* A JSON number field as int64 (truncated), or false when absent or out of range. */
static bool
int64_field(Jsonb *object, const char *key, int64 *out)
{
	JsonbValue *value = json_field(object, key, jbvNumeric);
	char	   *digits;
	char	   *end;

	if (value == NULL)
		return false;
	/* numeric_int8() would throw on 1e400; its text never does */
	digits = DatumGetCString(DirectFunctionCall1(numeric_out,
												 NumericGetDatum(value->val.numeric)));
	errno = 0;
	*out = strtoll(digits, &end, 10);
	return errno == 0 && end != digits && (*end == '\0' || *end == '.');
}

/*
 * What a valid, unexpired token says: the account name and session it was issued to (the
 * caller still checks that the session exists). Call after SPI_connect().
 */
TmToken
tm_token_verify(const char *token)
{
	size_t		len = strlen(token);
	const char *dot1;
	const char *dot2;
	uint8		expected[PG_SHA256_DIGEST_LENGTH];
	StringInfoData signature;
	Jsonb	   *header;
	Jsonb	   *payload;
	JsonbValue *alg;
	JsonbValue *kid;
	JsonbValue *sub;
	char	   *key;
	bool		retired_isnull;
	int64		retired_at = 0;
	int64		iat;
	int64		exp;
	bool		isnull;
	Datum		args[1];
	TmToken		result;

	if (len > TOKEN_MAX_BYTES)
		invalid_token("Tokens are at most 4096 bytes.");
	dot1 = strchr(token, '.');
	dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
	if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
		invalid_token("A token is three base64url segments joined by dots.");

	/* The key it names; an unknown or expired kid simply fails like a wrong signature. */
	header = json_segment(token, dot1 - token);
	kid = header != NULL ? json_field(header, "kid", jbvString) : NULL;
	if (kid == NULL || kid->val.string.len == 0 || kid->val.string.len > KID_MAX_BYTES)
		invalid_token("The token names no signing key.");
	args[0] = PointerGetDatum(cstring_to_text_with_len(kid->val.string.val, kid->val.string.len));
	if (tm_execute(&key_by_kid, args, NULL) == 0)
		invalid_token("The signature does not match.");
	key = TextDatumGetCString(tm_result(1, &isnull));
	{
		Datum		retired = tm_result(2, &retired_isnull);

		if (!retired_isnull)
			retired_at = DatumGetInt64(retired);
	}

	sign(key, token, dot2 - token, expected);
	explicit_bzero(key, strlen(key));
	initStringInfo(&signature);
	if (!b64url_decode(dot2 + 1, strlen(dot2 + 1), &signature) ||
		signature.len != sizeof(expected) ||
		timingsafe_bcmp(signature.data, expected, sizeof(expected)) != 0)
		invalid_token("The signature does not match.");

	/* Authentic from here on; the checks guard against other issuers sharing the key. */
	alg = json_field(header, "alg", jbvString);
	if (alg == NULL || alg->val.string.len != 5 || strncmp(alg->val.string.val, "HS256", 5) != 0)
		invalid_token("The token is not an HS256 JWT.");
	payload = json_segment(dot1 + 1, dot2 - dot1 - 1);
	if (payload == NULL)
		invalid_token("The payload is not a JSON object.");
	sub = json_field(payload, "sub", jbvString);
	if (sub == NULL || sub->val.string.len == 0)
		invalid_token("The token names no account.");
	if (!int64_field(payload, "sid", &result.session_id) || !int64_field(payload, "iat", &iat))
		invalid_token("The token names no session; log in again.");
	if (!int64_field(payload, "exp", &exp))
		invalid_token("The token has no numeric expiry time.");
	if (!retired_isnull && iat > retired_at)
		invalid_token("The token was signed after its key was retired.");
	if (exp <= (int64) time(NULL))
		ereport(ERROR,
				(errcode(ERRCODE_TM_UNAUTHENTICATED),
				 errmsg("token has expired"),
				 errhint("Log in again to get a new token.")));
	result.username = pnstrdup(sub->val.string.val, sub->val.string.len);
	return result;
}
