/*
 * request_fields.c -- JSON, form-encoded and query-string input -> one JSON object.
 * Flask-RESTful's reqparse, which the original app used, read all three; values of forms
 * and query strings are strings, and the extension accepts numeric strings for numbers.
 */
#include "request_fields.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "url_decode.h"

static bool
is_form(const char *content_type)
{
	return content_type &&
		strncasecmp(content_type, "application/x-www-form-urlencoded", 33) == 0;
}

/* key=value&... into `fields`; false if a key or value is not UTF-8, or there is a NUL. */
static bool
parse_form(const char *body, size_t len, json_t *fields)
{
	char	   *copy;
	char	   *saveptr = NULL;
	bool		ok = true;

	/* A raw NUL byte would end the copy early and drop the fields after it unseen. */
	if (memchr(body, '\0', len))
		return false;
	copy = strndup(body, len);
	for (char *pair = strtok_r(copy, "&", &saveptr); pair && ok; pair = strtok_r(NULL, "&", &saveptr))
	{
		char	   *eq = strchr(pair, '=');
		json_t	   *value;

		if (eq)
			*eq = '\0';
		url_decode(pair, true);
		if (eq)
			url_decode(eq + 1, true);
		if (*pair == '\0')
			continue;
		value = json_string(eq ? eq + 1 : "");
		ok = value != NULL && json_object_set_new(fields, pair, value) == 0;
	}
	free(copy);
	return ok;
}

bool
request_fields_add_query(json_t *query, const char *key, const char *value)
{
	json_t	   *string = json_string(value ? value : "");

	/* json_object_set_new frees the value when it refuses a key that is not UTF-8. */
	return string != NULL && json_object_set_new(query, key, string) == 0;
}

char *
request_fields_json(const char *content_type, const char *body, size_t body_len,
					json_t *query, Reply *reply)
{
	json_t	   *fields;
	char	   *text;

	if (body_len == 0)
		fields = json_object();
	else if (is_form(content_type))
	{
		fields = json_object();
		if (!parse_form(body, body_len, fields))
		{
			json_decref(fields);
			json_decref(query);
			reply_error(reply, 400, "invalid_input", "form fields must be UTF-8 text without NUL bytes");
			return NULL;
		}
	}
	else
	{
		json_error_t error;

		fields = json_loadb(body, body_len, JSON_DECODE_ANY, &error);
		if (!fields || !json_is_object(fields))
		{
			char		message[256];

			if (fields)
				snprintf(message, sizeof(message), "the request body must be a JSON object");
			else
				snprintf(message, sizeof(message), "the request body is not valid JSON: %s", error.text);
			json_decref(fields);
			json_decref(query);
			reply_error(reply, 400, "invalid_json", message);
			return NULL;
		}
	}
	/* Body fields win over query fields of the same name. */
	json_object_update_missing(fields, query);
	json_decref(query);
	text = json_dumps(fields, JSON_COMPACT);
	json_decref(fields);
	return text;
}
