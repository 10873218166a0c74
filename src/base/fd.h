/*
 * fd.h: whole reads and writes on a file descriptor.
 *
 * read(2) and write(2) may move fewer bytes than asked, or be interrupted by a signal (EINTR);
 * these loop until all is moved, the file ends, or a real error. Errors are PONTE_EIO, with
 * errno left as the call set it.
 */
#ifndef PONTE_BASE_FD_H
#define PONTE_BASE_FD_H

#include <stddef.h>

/* Writes the n bytes of p: 0, or PONTE_EIO. */
int fd_write_all(int fd, const void *p, size_t n);
/* Reads up to n bytes into p, *got of them: 0 with *got < n only at the end of the file. */
int fd_read_full(int fd, void *p, size_t n, size_t *got);

#endif
