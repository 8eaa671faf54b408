/*
 * secret_key.h -- what makes a token signing key unfit for production.
 */
#ifndef TM_SECRET_KEY_H
#define TM_SECRET_KEY_H

/* The fixed key of development processes; published in this source, so never a real one. */
extern const char development_secret_key[];

enum { MIN_SECRET_KEY_LENGTH = 32 };

/*
 * NULL if `key` may sign production tokens, else why not (a phrase that completes
 * "SECRET_KEY is ..."). Used by the web process and by `ticketmonster-web migrate` when
 * PRODUCTION is set.
 */
const char *secret_key_weakness(const char *key);

#endif
