/*
 * subtransaction.c
 *		Run a piece of work in a subtransaction that is kept or rolled back as it asks.
 */
#include "ticketmonster.h"

#include "access/xact.h"
#include "utils/resowner.h"

/*
 * Runs body(arg) in an internal subtransaction: released (its work kept) when the body
 * returns true, rolled back (its work and row locks undone) when it returns false. An error
 * rolls the subtransaction back here and is rethrown, so that a caller's handler sees its
 * own transaction state. Returns what the body returned.
 */
bool
tm_in_subtransaction(bool (*body) (void *arg), void *arg)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	bool		keep = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		keep = body(arg);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		ReThrowError(edata);
	}
	PG_END_TRY();

	if (keep)
		ReleaseCurrentSubTransaction();
	else
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(oldcontext);
	CurrentResourceOwner = oldowner;
	return keep;
}
