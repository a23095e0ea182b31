/*
 * tf_preload: a test extension that works only when loaded through shared_preload_libraries.
 * It counts the backends started since the postmaster loaded it, in shared memory, which a
 * library can only reserve while the postmaster starts.
 */
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "port/atomics.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(tf_preload_loaded);

static pg_atomic_uint64 *counter = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;

static void
tf_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(sizeof(pg_atomic_uint64));
}
#endif

static void
tf_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	counter = ShmemInitStruct("tf_preload", sizeof(pg_atomic_uint64), &found);
	if (!found)
		pg_atomic_init_u64(counter, 0);
	LWLockRelease(AddinShmemInitLock);
}

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errmsg("tf_preload must be loaded via shared_preload_libraries")));
#if PG_VERSION_NUM >= 150000
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = tf_shmem_request;
#else
	RequestAddinShmemSpace(sizeof(pg_atomic_uint64));
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = tf_shmem_startup;
}

Datum
tf_preload_loaded(PG_FUNCTION_ARGS)
{
	if (counter == NULL)
		PG_RETURN_INT64(-1);
	PG_RETURN_INT64((int64) pg_atomic_add_fetch_u64(counter, 1));
}
