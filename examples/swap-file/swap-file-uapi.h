/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/**
 * DOC: the mmap() contract of /dev/kit_swap
 *
 * Shared by every swap-file module (before/, after/ and the probes) and by
 * the lab checker. Besides the ioctl numbers from <linux/ioctl.h> it is
 * plain C.
 *
 * The device does not map memory of its own: it maps a shmem file of
 * KIT_SWAP_PAGES pages that the module creates at load and holds until
 * unload. A mapping of the device is a mapping of that file: its VMA's
 * vm_file is the shmem file, not the device (the last column of
 * /proc/PID/maps names "kit_swap", the shmem file, not /dev/kit_swap).
 * Every mapping of every open sees the same bytes, zero at load.
 *
 * mmap() contract, identical for the legacy .mmap and the .mmap_prepare
 * variant (offsets in bytes, "page" is the kernel page size):
 *
 * - MAP_SHARED of [offset, offset + length) inside the file succeeds,
 *   read-write on an O_RDWR descriptor. Pages are filled by shmem's own
 *   fault handler when first touched.
 * - A window not inside the file fails with EINVAL, and so does
 *   MAP_PRIVATE: a private copy would stop seeing the shared bytes.
 * - Two mappings of neighbouring windows placed side by side are
 *   ordinary shmem mappings of one file and may merge into one VMA.
 * - Each mapping holds one reference to the shmem file, whichever VMA
 *   (merged, split, forked) it ends up in: KIT_SWAP_FILE_REFS is 1 (the
 *   module's own reference) plus one per VMA, and back to 1 once every
 *   mapping is gone.
 */
#ifndef KIT_SWAP_FILE_UAPI_H
#define KIT_SWAP_FILE_UAPI_H

#include <linux/ioctl.h>

#define KIT_SWAP_NAME	"kit_swap"
#define KIT_SWAP_PATH	"/dev/" KIT_SWAP_NAME

/* Size of the shmem file, in pages of the running kernel. */
#define KIT_SWAP_PAGES	4UL

#define KIT_SWAP_IOC_MAGIC	0xb8

/*
 * Returns the reference count of the file the device maps, as the kernel
 * keeps it (file_count()): one atomic word, read once, so exact while
 * nothing else maps or opens that file. The probes (stacked, badmmap,
 * badaction) answer with the file their hook swaps in.
 */
#define KIT_SWAP_FILE_REFS	_IO(KIT_SWAP_IOC_MAGIC, 1)

#endif /* KIT_SWAP_FILE_UAPI_H */
