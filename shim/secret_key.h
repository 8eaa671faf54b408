/*
 * secret_key.h -- what makes a token signing key unfit for production.
 */
#ifndef TM_SECRET_KEY_H
#define TM_SECRET_KEY_H

/*
 * The fixed key that 1.0's web process signed with when SECRET_KEY was not set: published
 * in this source, so deployments that ran on it must change it.
 */
extern const char development_secret_key[];

enum { MIN_SECRET_KEY_LENGTH = 32 };

/*
 * NULL if `key` may sign production tokens, else why not (a phrase that completes
 * "SECRET_KEY is ..."). Used by the web process and by `ticketmonster-web migrate` when
 * PRODUCTION is set.
 */
const char *secret_key_weakness(const char *key);

#endif
