/*
 * jwt.c
 *		Login tokens: JWTs signed with HMAC-SHA256 under ticketmonster.secret_key.
 *
 * The server alone decides the algorithm: the signature is always checked as HS256, so a
 * token that says "alg": "none" or "HS512" simply fails to verify. Nothing of a token is
 * parsed before its signature has been checked.
 */
#include "ticketmonster.h"

#include <time.h>

#include "common/hmac.h"
#include "common/jsonapi.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/numeric.h"

#define TOKEN_MAX_BYTES			4096
#define SECRET_KEY_MIN_BYTES	32
#define TOKEN_HEADER			"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

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

/* The key; a missing or short one is a deployment mistake, reported without its value. */
static const char *
secret_key(void)
{
	if (tm_secret_key == NULL || strlen(tm_secret_key) < SECRET_KEY_MIN_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("ticketmonster.secret_key is not set or shorter than %d bytes",
						SECRET_KEY_MIN_BYTES),
				 errhint("The web process passes SECRET_KEY as the session option "
						 "-c ticketmonster.secret_key=...; in psql, SET it to at least %d "
						 "random bytes.", SECRET_KEY_MIN_BYTES)));
	return tm_secret_key;
}

static void
sign(const char *data, size_t len, uint8 *mac)
{
	const char *key = secret_key();
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

char *
tm_token_issue(const char *username)
{
	int64		now = (int64) time(NULL);
	StringInfoData payload;
	StringInfoData token;
	uint8		mac[PG_SHA256_DIGEST_LENGTH];

	initStringInfo(&payload);
	appendStringInfoString(&payload, "{\"sub\":");
	escape_json(&payload, username);
	appendStringInfo(&payload, ",\"iat\":" INT64_FORMAT ",\"exp\":" INT64_FORMAT "}",
					 now, now + tm_token_ttl);

	initStringInfo(&token);
	append_b64url(&token, (const uint8 *) TOKEN_HEADER, strlen(TOKEN_HEADER));
	appendStringInfoChar(&token, '.');
	append_b64url(&token, (const uint8 *) payload.data, payload.len);
	sign(token.data, token.len, mac);
	appendStringInfoChar(&token, '.');
	append_b64url(&token, mac, sizeof(mac));
	return token.data;
}

/* The username a valid, unexpired token was issued to. */
char *
tm_token_subject(const char *token)
{
	size_t		len = strlen(token);
	const char *dot1;
	const char *dot2;
	uint8		expected[PG_SHA256_DIGEST_LENGTH];
	StringInfoData signature;
	Jsonb	   *header;
	Jsonb	   *payload;
	JsonbValue *alg;
	JsonbValue *sub;
	JsonbValue *exp;

	if (len > TOKEN_MAX_BYTES)
		invalid_token("Tokens are at most 4096 bytes.");
	dot1 = strchr(token, '.');
	dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
	if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
		invalid_token("A token is three base64url segments joined by dots.");

	sign(token, dot2 - token, expected);
	initStringInfo(&signature);
	if (!b64url_decode(dot2 + 1, strlen(dot2 + 1), &signature) ||
		signature.len != sizeof(expected) ||
		timingsafe_bcmp(signature.data, expected, sizeof(expected)) != 0)
		invalid_token("The signature does not match.");

	/* Authentic from here on; the checks guard against other issuers sharing the key. */
	header = json_segment(token, dot1 - token);
	alg = header != NULL ? json_field(header, "alg", jbvString) : NULL;
	if (alg == NULL || alg->val.string.len != 5 || strncmp(alg->val.string.val, "HS256", 5) != 0)
		invalid_token("The token is not an HS256 JWT.");
	payload = json_segment(dot1 + 1, dot2 - dot1 - 1);
	if (payload == NULL)
		invalid_token("The payload is not a JSON object.");
	sub = json_field(payload, "sub", jbvString);
	if (sub == NULL || sub->val.string.len == 0)
		invalid_token("The token names no account.");
	exp = json_field(payload, "exp", jbvNumeric);
	if (exp == NULL)
		invalid_token("The token has no numeric expiry time.");
	if (DatumGetBool(DirectFunctionCall2(numeric_le, NumericGetDatum(exp->val.numeric),
										 NumericGetDatum(int64_to_numeric((int64) time(NULL))))))
		ereport(ERROR,
				(errcode(ERRCODE_TM_UNAUTHENTICATED),
				 errmsg("token has expired"),
				 errhint("Log in again to get a new token.")));
	return pnstrdup(sub->val.string.val, sub->val.string.len);
}
