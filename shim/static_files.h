/*
 * static_files.h -- the web page's files from STATIC_DIR, with revalidation.
 */
#ifndef TM_STATIC_FILES_H
#define TM_STATIC_FILES_H

#include <microhttpd.h>

/*
 * A response for the file at `relative` (decoded, under STATIC_DIR): 200 with the file, or
 * 304 when the client's copy is current (`*status` says which). NULL when there is no such
 * regular file inside STATIC_DIR, whatever the path tries.
 */
struct MHD_Response *static_file_response(struct MHD_Connection *connection,
										  const char *relative, unsigned int *status);

#endif
