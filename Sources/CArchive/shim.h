#ifndef CARCHIVE_SHIM_H
#define CARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <sys/stat.h>
#include <sys/xattr.h>

/* Cast macros Swift cannot import, re-exported as typed constants. */
static const unsigned int CArchive_IFMT = AE_IFMT;
static const unsigned int CArchive_IFREG = AE_IFREG;
static const unsigned int CArchive_IFDIR = AE_IFDIR;
static const unsigned int CArchive_IFLNK = AE_IFLNK;

/* O_NOATIME is Linux-only and hidden behind _GNU_SOURCE in <fcntl.h>: reading a file for a backup
   should not update its access time (the value is the same on every Linux architecture). */
static const int CArchive_O_NOATIME = 01000000;

/* SEEK_HOLE is hidden behind _GNU_SOURCE in <unistd.h> too: the next hole at or after an offset (the
   end of the file when there is none). Same value on every Linux architecture. */
static const int CArchive_SEEK_HOLE = 4;

/* syncfs is hidden behind _GNU_SOURCE in <unistd.h> as well; glibc has exported it since 2.14. A
   restore flushes the target's filesystem once at its end and learns of any write-back error. */
extern int syncfs(int fd);
static inline int CArchive_syncfs(int fd) { return syncfs(fd); }

/* sync_file_range is hidden the same way: a restore starts each large file's write-back as soon as the
   file is written (SYNC_FILE_RANGE_WRITE = 2: start, do not wait), so the disk works while the next
   files are decompressed instead of all at the final syncfs. */
extern int sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags);
static inline int CArchive_start_writeback(int fd) { return sync_file_range(fd, 0, 0, 2); }

#endif
