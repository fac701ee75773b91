/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * lock-abort-uapi.h - what /dev/kit_lock promises to the programs that use it
 *
 * Shared by every lock-abort module (before/, naive/, after/, seed/) and by
 * the lab checker. Besides the ioctl numbers from <linux/ioctl.h> it is
 * plain C.
 *
 * The device hands out "sessions": KIT_LOCK_PAGES physically contiguous
 * pages, filled with kit_lock_pattern(generation, offset) when the session
 * starts. At most one session is active. Revoking it is final: no new
 * mapping of it can be created, but the mappings that exist keep working,
 * and the pages are freed when the last of them goes.
 *
 * open() binds the file to the session active at that moment (or to none);
 * mmap() always maps the file's session.
 *
 * mmap() contract, the same for every variant:
 * - MAP_SHARED of [offset, offset + length) inside the buffer succeeds while
 *   the file's session is active.
 * - ENODEV if the file's session has been revoked, or if there was no
 *   active session when the file was opened.
 * - EINVAL for a window that is not inside the buffer, and for MAP_PRIVATE.
 * - EINTR if the caller was killed while waiting for the device lock.
 * - The mapping is a PFN map (VmFlags "io pf dd de"): mremap() cannot grow
 *   it; splitting it (partial munmap) and fork() work.
 * - A mapping pins the session, the file and the module: closing the file
 *   keeps the mapping usable, and delete_module() fails with EAGAIN
 *   (EWOULDBLOCK) until the last mapping is gone.
 * - Allocations of the core's own mmap() path (the VMA, its tree slot, the
 *   page tables) fail with ENOMEM and leave nothing behind.
 */
#ifndef KIT_LOCK_ABORT_UAPI_H
#define KIT_LOCK_ABORT_UAPI_H

#include <linux/ioctl.h>

#define KIT_LOCK_NAME	"kit_lock"
#define KIT_LOCK_PATH	"/dev/" KIT_LOCK_NAME

/* Session size, in pages of the running kernel; a power of two. */
#define KIT_LOCK_PAGES	4UL

#define KIT_LOCK_IOC_MAGIC	0xb7

/*
 * Revoke the active session: 0, or -ENODEV if none is active. Mappings of
 * it stay valid; new mmap() calls on files bound to it fail with ENODEV.
 */
#define KIT_LOCK_REVOKE		_IO(KIT_LOCK_IOC_MAGIC, 1)
/*
 * Start a new session: returns its generation (2, 3, ...; the session that
 * starts when the module loads is 1), or -EBUSY while another session is
 * active. Only files opened afterwards are bound to it.
 */
#define KIT_LOCK_START		_IO(KIT_LOCK_IOC_MAGIC, 2)
/*
 * Returns how many sessions are still allocated: the active one plus every
 * revoked one that an open file or a mapping still holds.
 */
#define KIT_LOCK_LIVE		_IO(KIT_LOCK_IOC_MAGIC, 3)

/**
 * kit_lock_pattern() - the byte a session holds at an offset when it starts
 * @gen: the session's generation
 * @off: byte offset from the start of the session's buffer
 *
 * Neighbouring bytes, bytes 256 apart, the same byte of two pages and the
 * same byte of two consecutive generations all differ, so a mapping of the
 * wrong page or of the wrong session shows up.
 *
 * Return: the expected byte value.
 */
static inline unsigned char kit_lock_pattern(unsigned int gen,
					     unsigned long off)
{
	return (unsigned char)(0x5a ^ (off + 5 * (off >> 8) +
				       0x61 * (off >> 12) + 0x2f * gen));
}

#endif /* KIT_LOCK_ABORT_UAPI_H */
