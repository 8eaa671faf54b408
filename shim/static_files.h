/*
 * static_files.h -- the web page's files from STATIC_DIR, with revalidation.
 */
#ifndef TM_STATIC_FILES_H
#define TM_STATIC_FILES_H

#include <microhttpd.h>
#include <sys/stat.h>

/*
 * A response for the file at `relative` (decoded, under STATIC_DIR): 200 with the file, or
 * 304 when the client's copy is current (`*status` says which). NULL when there is no such
 * regular file inside STATIC_DIR, whatever the path tries.
 */
struct MHD_Response *static_file_response(struct MHD_Connection *connection,
										  const char *relative, unsigned int *status);

/*
 * The open regular file (fstat in `st`) for `relative` inside `root` (absolute, resolved
 * with realpath), or -1. static_file_response uses STATIC_DIR; test/fuzz/fuzz_static_path.c a temp dir.
 */
int			static_file_open(const char *root, const char *relative, struct stat *st);

#endif
