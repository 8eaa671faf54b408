# The HTTP shim: its own flags, apart from the extension's server-side ones.
SHIM = shim/ticketmonster-web
SHIM_SRCS = $(filter-out shim/fuzz_%.c,$(wildcard shim/*.c))
SHIM_OBJS = $(SHIM_SRCS:.c=.o)
SHIM_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	$(shell pkg-config --cflags libmicrohttpd jansson libpq)
SHIM_LIBS = $(shell pkg-config --libs libmicrohttpd jansson libpq) -lcrypto -lpthread

shim/%.o: shim/%.c $(wildcard shim/*.h)
	$(CC) $(SHIM_CFLAGS) -c -o $@ $<

$(SHIM): $(SHIM_OBJS)
	$(CC) -o $@ $^ $(SHIM_LIBS)
