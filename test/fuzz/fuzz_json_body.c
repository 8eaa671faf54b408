/*
 * fuzz_json_body.c -- libFuzzer target for a JSON request body -> the jsonb parameter:
 * request_fields_json with a JSON (or missing, or unknown) content type (test/fuzz/run).
 *
 * Input: "<query string>\n<body>", the query split and decoded as MHD does (fields that
 * are not UTF-8 are left out here: fuzz_form_query covers them), the body every byte after
 * the newline. Checked: the body is accepted exactly when it is empty or one JSON object;
 * the text is compact JSON whose object is the body's fields over the query's; no string
 * or key in it holds a NUL, which PostgreSQL's jsonb would refuse; a refusal is a 400 with
 * an error body, and nothing leaks either way.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request_fields.h"
#include "url_decode.h"
#include "fuzz.h"

static const char *const content_types[] = {
	"application/json", "application/json; charset=utf-8", NULL, "text/plain",
};

static void
check_no_nul(json_t *value)
{
	const char *key;
	json_t	   *member;
	size_t		index;

	if (json_is_string(value))
		CHECK(strlen(json_string_value(value)) == json_string_length(value));
	else if (json_is_object(value))
		json_object_foreach(value, key, member)
			check_no_nul(member);
	else if (json_is_array(value))
		json_array_foreach(value, index, member)
			check_no_nul(member);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *newline = memchr(data, '\n', size);
	size_t		query_len = newline ? (size_t) (newline - (const char *) data) : 0;
	char	   *query_text = strndup((const char *) data, query_len);
	const char *body = newline ? newline + 1 : (const char *) data;
	size_t		body_len = newline ? size - query_len - 1 : size;
	const char *content_type = content_types[query_len % 4];
	json_t	   *query = json_object();
	json_t	   *query_copy;
	json_t	   *expected;
	char	   *saveptr = NULL;
	Reply		reply = {0};
	char	   *text;

	for (char *pair = strtok_r(query_text, "&", &saveptr); pair; pair = strtok_r(NULL, "&", &saveptr))
	{
		char	   *eq = strchr(pair, '=');

		if (eq)
			*eq = '\0';
		url_decode(pair, true);
		if (eq)
			url_decode(eq + 1, true);
		request_fields_add_query(query, pair, eq ? eq + 1 : NULL);
	}
	free(query_text);
	query_copy = json_deep_copy(query);

	expected = body_len == 0 ? json_object() : json_loadb(body, body_len, JSON_DECODE_ANY, NULL);
	text = request_fields_json(content_type, body, body_len, query, &reply);
	CHECK((text != NULL) == (expected != NULL && json_is_object(expected)));
	if (text)
	{
		json_t	   *result = json_loads(text, 0, NULL);
		char	   *again;

		CHECK(result && json_is_object(result));
		json_object_update_missing(expected, query_copy);
		CHECK(json_equal(result, expected));
		check_no_nul(result);
		/* Compact: dumping what it says gives the same text. */
		again = json_dumps(result, JSON_COMPACT);
		CHECK(again && strcmp(again, text) == 0);
		free(again);
		json_decref(result);
		free(text);
	}
	else
	{
		json_t	   *error_body = reply.body ? json_loads(reply.body, 0, NULL) : NULL;

		CHECK(reply.status == 400);
		CHECK(error_body && json_is_object(error_body));
		CHECK(json_is_string(json_object_get(error_body, "code")));
		CHECK(strcmp(json_string_value(json_object_get(error_body, "code")), "invalid_json") == 0);
		json_decref(error_body);
		free(reply.body);
	}
	json_decref(expected);
	json_decref(query_copy);
	return 0;
}
