/*
 * request_path.h -- the request path as every part of the shim sees it.
 */
#ifndef TM_REQUEST_PATH_H
#define TM_REQUEST_PATH_H

/*
 * Collapses every run of '/' into one, in place: "//events" is "/events", "/event//3" is
 * "/event/3" and "///" is "/". The original app's server (gunicorn 19) did this, and clients
 * written for it build URLs as base + "/events" with a base ending in "/". Applied to the
 * decoded path once, before routing, CORS, static files and the SPA fallback look at it.
 */
void		request_path_collapse_slashes(char *path);

#endif
