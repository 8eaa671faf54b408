/*
 * accept_encoding.c -- see accept_encoding.h.
 */
#include "accept_encoding.h"

#include <string.h>
#include <strings.h>

/* Spaces and tabs (RFC 9110's OWS) from `p` on. */
static const char *
skip_space(const char *p)
{
	return p + strspn(p, " \t");
}

/*
 * The weight "q=..." (`q` to `end`, spaces trimmed) above zero? A malformed one counts as
 * zero: the coding is refused, not guessed at.
 *   qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
 */
static bool
qvalue_above_zero(const char *q, const char *end)
{
	size_t		len = (size_t) (end - q);

	if (len == 0 || len > 5 || (*q != '0' && *q != '1') || (len > 1 && q[1] != '.'))
		return false;
	for (size_t i = 2; i < len; i++)
		if (q[i] < '0' || q[i] > '9' || (*q == '1' && q[i] != '0'))
			return false;
	if (*q == '1')
		return true;
	for (size_t i = 2; i < len; i++)
		if (q[i] != '0')
			return true;
	return false;
}

/* The weight of a coding whose parameters (";name=value..." ) run from `p` to `end`. */
static bool
weight_above_zero(const char *p, const char *end)
{
	while (p < end)
	{
		const char *name = skip_space(p + 1);	/* past the ';' */
		const char *next = memchr(name, ';', (size_t) (end - name));
		const char *value_end;

		if (!next)
			next = end;
		if ((name[0] == 'q' || name[0] == 'Q') && name + 1 < next && name[1] == '=')
		{
			value_end = next;
			while (value_end > name + 2 && (value_end[-1] == ' ' || value_end[-1] == '\t'))
				value_end--;
			return qvalue_above_zero(name + 2, value_end);
		}
		p = next;
	}
	return true;				/* no weight: 1 */
}

bool
accepts_gzip(const char *accept_encoding)
{
	/* -1: not named; 1: named once at least with a weight above zero; 0: only without */
	int			gzip = -1;
	int			any = -1;		/* the same for "*" */

	if (!accept_encoding)
		return false;
	for (const char *p = accept_encoding; *p;)
	{
		const char *coding = skip_space(p);
		const char *end = strchrnul(coding, ',');
		size_t		len = strcspn(coding, ";, \t");
		const char *params = skip_space(coding + len);

		p = *end ? end + 1 : end;
		if (params != end && *params != ';')
			continue;			/* not "coding [; params]": ignored */
		if ((len == 4 && strncasecmp(coding, "gzip", 4) == 0) ||
			(len == 6 && strncasecmp(coding, "x-gzip", 6) == 0))
			gzip = gzip == 1 || weight_above_zero(params, end);
		else if (len == 1 && *coding == '*')
			any = any == 1 || weight_above_zero(params, end);
	}
	return gzip >= 0 ? gzip == 1 : any == 1;
}
