/*
 * asan-shim.c: preloaded next to the AddressSanitizer runtime by asan.sh.
 *
 * The ASan runtime, preloaded into an uninstrumented postgres, initialises
 * itself lazily at the first malloc().  With Debian's libraries that first
 * malloc() happens inside a library constructor (libgpg-error's) that holds
 * glibc's gettext lock for writing; the initialisation looks up the
 * optional symbol swift_demangle, fails, calls dlerror(), which translates
 * its message and takes the same lock for reading: the lock's state is
 * corrupted and the process hangs at its next gettext call
 * (bindtextdomain() in postgres, psql and initdb).  Defining the symbol
 * keeps the lookup from failing.  Returning NULL means "not a Swift name":
 * the runtime then prints the name as it is.
 */
#include <stddef.h>

char	   *swift_demangle(const char *mangled, size_t mangled_len, char *out,
						   size_t *out_len, unsigned flags);

char *
swift_demangle(const char *mangled, size_t mangled_len, char *out,
			   size_t *out_len, unsigned flags)
{
	(void) mangled;
	(void) mangled_len;
	(void) out;
	(void) out_len;
	(void) flags;
	return NULL;
}
