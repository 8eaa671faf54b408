/*
 * fuzz_static_path.c -- libFuzzer target for static_file_open, the part of static file
 * serving that turns a decoded path into a file (test/fuzz/run).
 *
 * The root is a tree made under $TMPDIR at start and removed at exit: a static dir five
 * levels down with files, a subdirectory and symlinks inside it, out of it (relative,
 * absolute, into a sibling "static-evil" that shares the root's prefix), dangling and
 * looping. Every file outside the static dir says SECRET. Input: the relative path, up to
 * the first NUL; inputs with more than four ".." are skipped, so that realpath never
 * climbs out of the temp tree. Checked: a path is either refused or gives an open regular
 * file whose real path is under the root and which is not a secret; a '%' or '\' is always
 * refused; no descriptor leaks.
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "static_files.h"
#include "fuzz.h"

static char tree[PATH_MAX];
static char root[PATH_MAX];
static int	next_fd;

static void
put_file(const char *relative, const char *content)
{
	char		path[PATH_MAX];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", tree, relative);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs(content, f);
	fclose(f);
}

static void
put_dir(const char *relative)
{
	char		path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tree, relative);
	CHECK(mkdir(path, 0700) == 0);
}

static void
put_link(const char *relative, const char *target)
{
	char		path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tree, relative);
	CHECK(symlink(target, path) == 0);
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void) st;
	(void) type;
	(void) ftw;
	remove(path);
	return 0;
}

static void
remove_tree(void)
{
	nftw(tree, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int
lowest_free_fd(void)
{
	int			fd = dup(0);

	close(fd);
	return fd;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char		abs_target[PATH_MAX + 64];
	struct stat st;
	int			fd;

	(void) argc;
	(void) argv;
	snprintf(tree, sizeof(tree), "%s/tm-fuzz-static-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(tree) != NULL);
	CHECK(realpath(tree, root) != NULL);
	snprintf(tree, sizeof(tree), "%s", root);
	atexit(remove_tree);

	put_file("secret.txt", "SECRET\n");
	put_dir("a");
	put_dir("a/b");
	put_dir("a/b/c");
	put_dir("a/b/c/d");
	put_file("a/b/c/d/secret.txt", "SECRET\n");
	put_dir("a/b/c/d/outside");
	put_file("a/b/c/d/outside/secret.txt", "SECRET\n");
	put_dir("a/b/c/d/static-evil");
	put_file("a/b/c/d/static-evil/secret.txt", "SECRET\n");
	put_dir("a/b/c/d/static");
	put_file("a/b/c/d/static/index.html", "<!doctype html>public\n");
	put_file("a/b/c/d/static/app.js", "public\n");
	put_file("a/b/c/d/static/.hidden", "public\n");
	put_dir("a/b/c/d/static/css");
	put_file("a/b/c/d/static/css/site.css", "public\n");
	put_dir("a/b/c/d/static/css/empty");
	put_link("a/b/c/d/static/in_link", "index.html");
	put_link("a/b/c/d/static/in_dir_link", "css");
	put_link("a/b/c/d/static/css/back", "../app.js");
	put_link("a/b/c/d/static/up", "..");
	put_link("a/b/c/d/static/out_link", "../outside/secret.txt");
	put_link("a/b/c/d/static/out_dir", "../outside");
	put_link("a/b/c/d/static/evil_link", "../static-evil/secret.txt");
	put_link("a/b/c/d/static/dangling", "nowhere");
	put_link("a/b/c/d/static/loop", "loop");
	snprintf(abs_target, sizeof(abs_target), "%s/a/b/c/d/outside/secret.txt", tree);
	put_link("a/b/c/d/static/abs_link", abs_target);
	snprintf(root, sizeof(root), "%s/a/b/c/d/static", tree);

	/* The tree is what it should be: a file inside is served, one outside is not. */
	fd = static_file_open(root, "in_link", &st);
	CHECK(fd >= 0);
	close(fd);
	CHECK(static_file_open(root, "out_link", &st) < 0);
	next_fd = lowest_free_fd();
	return 0;
}

static size_t
count_dotdot(const char *s)
{
	size_t		n = 0;

	for (const char *p = strstr(s, ".."); p; p = strstr(p + 1, ".."))
		n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *relative = strndup((const char *) data, size);
	struct stat st;
	int			fd;

	if (count_dotdot(relative) > 4)
	{
		free(relative);
		return 0;
	}
	fd = static_file_open(root, relative, &st);
	if (strchr(relative, '%') || strchr(relative, '\\'))
		CHECK(fd < 0);
	if (fd >= 0)
	{
		char		link[64];
		char		real[PATH_MAX];
		char		content[16] = "";
		ssize_t		n;
		size_t		root_len = strlen(root);

		CHECK(S_ISREG(st.st_mode));
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, real, sizeof(real) - 1);
		CHECK(n > 0);
		real[n] = '\0';
		CHECK(strncmp(real, root, root_len) == 0 && real[root_len] == '/');
		n = pread(fd, content, sizeof(content) - 1, 0);
		CHECK(n >= 0);
		CHECK(strncmp(content, "SECRET", 6) != 0);
		close(fd);
	}
	CHECK(lowest_free_fd() == next_fd);
	free(relative);
	return 0;
}
