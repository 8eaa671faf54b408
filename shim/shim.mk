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

# The same shim under AddressSanitizer and UndefinedBehaviorSanitizer (LeakSanitizer included),
# for test/http/run-asan. Built from the sources in one step so no plain object leaks in.
SHIM_ASAN = shim/ticketmonster-web-asan
SHIM_ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1

$(SHIM_ASAN): $(SHIM_SRCS) $(wildcard shim/*.h)
	$(CC) $(filter-out -O2,$(SHIM_CFLAGS)) $(SHIM_ASAN_FLAGS) -o $@ $(SHIM_SRCS) $(SHIM_LIBS)

.PHONY: shim-asan
shim-asan: $(SHIM_ASAN)
