/*
 * handler.h -- the MHD callbacks: one request from first byte to log line.
 */
#ifndef TM_HANDLER_H
#define TM_HANDLER_H

#include <microhttpd.h>
#include <stdbool.h>

enum { MAX_BODY_BYTES = 64 * 1024 };

enum MHD_Result handle_request(void *cls, struct MHD_Connection *connection, const char *url,
							   const char *method, const char *version, const char *upload_data,
							   size_t *upload_data_size, void **request_state);

void		request_completed(void *cls, struct MHD_Connection *connection, void **request_state,
							  enum MHD_RequestTerminationCode why);

/* Requests begun and not yet completed, for a graceful shutdown. */
unsigned int requests_in_flight(void);

/* From now on responses ask clients to close their connection, so the shutdown can finish. */
void		handler_begin_shutdown(void);

#endif
