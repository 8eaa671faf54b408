/*
 * fuzz_form_query.c -- libFuzzer target for the query string and form-encoded body ->
 * JSON object path: request_fields_add_query and request_fields_json with
 * application/x-www-form-urlencoded (test/fuzz/run).
 *
 * Input: "<query string>\n<form body>", the query up to the first NUL or newline, as MHD
 * gives it: split on '&' and the first '=', '+' and %XX decoded. The body is every byte
 * after the newline, NULs included. Checked against a model: a request is refused (400,
 * and then the query object and the reply are freed) exactly when a key or value is not
 * UTF-8 or the body has a NUL byte that would cut it short; otherwise the JSON text is
 * exactly the body's fields (the last of a repeated key wins) over the query's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request_fields.h"
#include "url_decode.h"
#include "fuzz.h"

/* RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool
is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	while (*p)
	{
		unsigned int c = *p;
		int			extra;
		unsigned int min;

		if (c < 0x80)
		{
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			extra = 1, min = 0x80, c &= 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			extra = 2, min = 0x800, c &= 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			extra = 3, min = 0x10000, c &= 0x07;
		else
			return false;
		p++;
		for (int i = 0; i < extra; i++, p++)
		{
			if ((*p & 0xC0) != 0x80)
				return false;
			c = (c << 6) | (*p & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return false;
	}
	return true;
}

/* A form body into `model` as the shim should read it; false when it must be refused. */
static bool
model_form(const char *text, size_t len, json_t *model)
{
	size_t		start = 0;

	while (start <= len)
	{
		const char *amp = memchr(text + start, '&', len - start);
		size_t		end = amp ? (size_t) (amp - text) : len;
		char	   *pair = strndup(text + start, end - start);
		char	   *eq = strchr(pair, '=');
		bool		ok = true;

		if (end > start)
		{
			if (eq)
				*eq = '\0';
			url_decode(pair, true);
			if (eq)
				url_decode(eq + 1, true);
			/* "=x" and "&&" carry no field. */
			if (pair[0] != '\0')
			{
				if (!is_utf8(pair) || (eq && !is_utf8(eq + 1)))
					ok = false;
				else
					json_object_set_new(model, pair, json_string(eq ? eq + 1 : ""));
			}
		}
		free(pair);
		if (!ok)
			return false;
		start = end + 1;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *newline = memchr(data, '\n', size);
	size_t		query_len = newline ? (size_t) (newline - (const char *) data) : size;
	char	   *query_text = strndup((const char *) data, query_len);
	const char *body = newline ? newline + 1 : "";
	size_t		body_len = newline ? size - query_len - 1 : 0;
	json_t	   *query = json_object();
	json_t	   *query_model = json_object();
	json_t	   *body_model = json_object();
	bool		query_ok = true;
	bool		body_ok;
	char	   *saveptr = NULL;
	Reply		reply = {0};
	char	   *text;

	/* The query, field by field as MHD's callback hands them to the handler. */
	for (char *pair = strtok_r(query_text, "&", &saveptr); pair && query_ok;
		 pair = strtok_r(NULL, "&", &saveptr))
	{
		char	   *eq = strchr(pair, '=');
		size_t		before = json_object_size(query);

		if (eq)
			*eq = '\0';
		url_decode(pair, true);
		if (eq)
			url_decode(eq + 1, true);
		query_ok = request_fields_add_query(query, pair, eq ? eq + 1 : NULL);
		CHECK(query_ok == (is_utf8(pair) && (!eq || is_utf8(eq + 1))));
		if (query_ok)
		{
			json_t	   *value = json_object_get(query, pair);

			CHECK(value && strcmp(json_string_value(value), eq ? eq + 1 : "") == 0);
			json_object_set_new(query_model, pair, json_string(eq ? eq + 1 : ""));
		}
		else
			CHECK(json_object_size(query) == before);
	}
	free(query_text);
	if (!query_ok)
	{
		/* The handler refuses the request here; request_fields_json is not called. */
		json_decref(query);
		json_decref(query_model);
		json_decref(body_model);
		return 0;
	}
	CHECK(json_equal(query, query_model));

	body_ok = memchr(body, '\0', body_len) == NULL &&
		model_form(body, body_len, body_model);
	text = request_fields_json("application/x-www-form-urlencoded", body, body_len, query, &reply);
	CHECK((text != NULL) == body_ok);
	if (text)
	{
		json_error_t error;
		json_t	   *result = json_loads(text, 0, &error);

		CHECK(result && json_is_object(result));
		json_object_update_missing(body_model, query_model);
		CHECK(json_equal(result, body_model));
		json_decref(result);
		free(text);
	}
	else
	{
		json_t	   *error_body = reply.body ? json_loads(reply.body, 0, NULL) : NULL;

		CHECK(reply.status == 400);
		CHECK(error_body && json_is_object(error_body));
		CHECK(json_is_string(json_object_get(error_body, "code")));
		json_decref(error_body);
		free(reply.body);
	}
	json_decref(query_model);
	json_decref(body_model);
	return 0;
}
