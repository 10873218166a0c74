/* Whole reads and writes on a file descriptor (fd.h). */
#include "base/fd.h"

#include <errno.h>
#include <unistd.h>

#include "base/errors.h"

int fd_write_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return PONTE_EIO;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int fd_read_full(int fd, void *p, size_t n, size_t *got)
{
	unsigned char *c = p;
	*got = 0;
	while (*got < n) {
		ssize_t r = read(fd, c + *got, n - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return PONTE_EIO;
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}
