# The HTTP shim: its own flags, apart from the extension's server-side ones.
SHIM = shim/ticketmonster-web
# The server (shim/) and the operator's commands of the same binary (cli/).
SHIM_SRCS = $(wildcard shim/*.c) $(wildcard cli/*.c)
SHIM_OBJS = $(SHIM_SRCS:.c=.o)
# Where the binary looks for the page without STATIC_DIR: the checkout's, or a package's
# (make SHIM_STATIC_DIR=/usr/share/ticketmonster/static, from a clean tree).
SHIM_STATIC_DIR ?= static
# Route rows leave their optional trailing fields out (zero), as the extension's tables do.
SHIM_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-DTM_STATIC_DIR='"$(SHIM_STATIC_DIR)"' \
	$(shell pkg-config --cflags libmicrohttpd jansson libpq sqlite3 zlib)
SHIM_LIBS = $(shell pkg-config --libs libmicrohttpd jansson libpq sqlite3 zlib) -lcrypto -lpthread

# A packager's flags (Debian's hardening: debian/rules) come on top.
SHIM_EXTRA_CFLAGS ?=
SHIM_LDFLAGS ?=

shim/%.o: shim/%.c $(wildcard shim/*.h)
	$(CC) $(SHIM_CFLAGS) $(SHIM_EXTRA_CFLAGS) -c -o $@ $<

cli/%.o: cli/%.c $(wildcard cli/*.h shim/*.h)
	$(CC) $(SHIM_CFLAGS) $(SHIM_EXTRA_CFLAGS) -c -o $@ $<

$(SHIM): $(SHIM_OBJS)
	$(CC) $(SHIM_LDFLAGS) -o $@ $^ $(SHIM_LIBS)

# The same shim under AddressSanitizer and UndefinedBehaviorSanitizer (LeakSanitizer included),
# for test/http/run-asan. Built from the sources in one step so no plain object leaks in.
SHIM_ASAN = shim/ticketmonster-web-asan
SHIM_ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1

$(SHIM_ASAN): $(SHIM_SRCS) $(wildcard shim/*.h cli/*.h)
	$(CC) $(filter-out -O2,$(SHIM_CFLAGS)) $(SHIM_ASAN_FLAGS) -o $@ $(SHIM_SRCS) $(SHIM_LIBS)

.PHONY: shim-asan
shim-asan: $(SHIM_ASAN)
