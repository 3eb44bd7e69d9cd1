/*
 * asan-canary.c: the positive control of asan.sh.  Loaded (LOAD) into the
 * server under test, it reads one byte past a malloc'd buffer, so the
 * AddressSanitizer runtime must write exactly one heap-buffer-overflow
 * report naming this file.  If it does not, the memory check is not
 * checking anything and asan.sh fails.  Built with -fsanitize=address and
 * -fsanitize-recover=address: the report does not end the backend.
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	char	   *buf = malloc(16);
	volatile char c;

	if (buf == NULL)
		return;
	memset(buf, 0, 16);
	c = buf[16];				/* one past the end: the report */
	(void) c;
	free(buf);
}
