/*
 * address_limit.c -- see address_limit.h.
 *
 * One mutex guards every address's count and queue. A request is suspended while that mutex
 * is held, and resumed only under it, so a releasing thread can never resume a connection
 * that has not been suspended yet.
 */
#include "address_limit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

typedef struct Address
{
	struct Address *next;
	char		address[CLIENT_ADDR_SIZE];
	unsigned int active;		/* slots held */
	LimitTicket *head;			/* waiting, first come first served */
	LimitTicket *tail;
} Address;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Address *addresses;		/* only addresses with a slot held or a request waiting */
static bool closed;				/* limit_release_waiters() ran: the process is stopping */

static Address *
find(const char *address, Address ***link_out)
{
	Address   **link = &addresses;

	for (; *link; link = &(*link)->next)
		if (strcmp((*link)->address, address) == 0)
			break;
	if (link_out)
		*link_out = link;
	return *link;
}

bool
limit_acquire(LimitTicket *ticket)
{
	Address    *entry;
	bool		acquired = true;

	if (ticket->holds)
		return true;
	pthread_mutex_lock(&lock);
	if (closed)
	{
		ticket->refused = true;
		pthread_mutex_unlock(&lock);
		return false;
	}
	entry = find(ticket->address, NULL);
	if (!entry && (entry = calloc(1, sizeof(Address))) != NULL)
	{
		memcpy(entry->address, ticket->address, sizeof(entry->address));
		entry->next = addresses;
		addresses = entry;
	}
	if (!entry || entry->active < config.password_requests_per_address)
	{
		/* Out of memory: serve it rather than lose the request. */
		if (entry)
			entry->active++;
		ticket->holds = true;
	}
	else
	{
		ticket->next = NULL;
		if (entry->tail)
			entry->tail->next = ticket;
		else
			entry->head = ticket;
		entry->tail = ticket;
		ticket->waiting = true;
		MHD_suspend_connection(ticket->connection);
		acquired = false;
	}
	pthread_mutex_unlock(&lock);
	return acquired;
}

/* Drops an address with nothing held or waiting; with the lock held. */
static void
drop_if_unused(Address *entry)
{
	Address   **link;

	if (entry->active || entry->head)
		return;
	find(entry->address, &link);
	*link = entry->next;
	free(entry);
}

void
limit_release(LimitTicket *ticket)
{
	Address    *entry;

	if (!ticket->holds)
		return;
	ticket->holds = false;
	pthread_mutex_lock(&lock);
	entry = find(ticket->address, NULL);
	if (entry && entry->head)
	{
		/* The slot passes on as it is: `active` does not change. */
		LimitTicket *next = entry->head;

		entry->head = next->next;
		if (!entry->head)
			entry->tail = NULL;
		next->next = NULL;
		next->waiting = false;
		next->holds = true;
		MHD_resume_connection(next->connection);
	}
	else if (entry)
	{
		entry->active--;
		drop_if_unused(entry);
	}
	pthread_mutex_unlock(&lock);
}

void
limit_forget(LimitTicket *ticket)
{
	Address    *entry;

	if (ticket->waiting)
	{
		pthread_mutex_lock(&lock);
		entry = find(ticket->address, NULL);
		if (entry)
		{
			LimitTicket **link = &entry->head;

			entry->tail = NULL;
			while (*link)
			{
				if (*link == ticket)
					*link = ticket->next;
				else
				{
					entry->tail = *link;
					link = &(*link)->next;
				}
			}
			drop_if_unused(entry);
		}
		ticket->waiting = false;
		pthread_mutex_unlock(&lock);
	}
	limit_release(ticket);
}

void
limit_release_waiters(void)
{
	pthread_mutex_lock(&lock);
	closed = true;
	for (Address *entry = addresses; entry; entry = entry->next)
	{
		while (entry->head)
		{
			LimitTicket *ticket = entry->head;

			entry->head = ticket->next;
			ticket->next = NULL;
			ticket->waiting = false;
			MHD_resume_connection(ticket->connection);
		}
		entry->tail = NULL;
	}
	pthread_mutex_unlock(&lock);
}
