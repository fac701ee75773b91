/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pfn-remap-uapi.h - the mmap() contract of /dev/kit_pfn
 *
 * Shared by the two modules (before/, after/) and the lab checker; plain C
 * with no kernel or libc header.
 *
 * The device owns KIT_PFN_PAGES physically contiguous pages, filled with
 * kit_pfn_pattern(offset) at module load. mmap() maps them with page table
 * entries that point straight at the page frames (a PFN map, no fault
 * handler), so every mapping and every process sees the same bytes.
 *
 * mmap() contract, identical for the legacy .mmap and the .mmap_prepare
 * variant (offsets in bytes, "page" is the kernel page size):
 *
 * - MAP_SHARED of [offset, offset + length) inside the buffer succeeds,
 *   read-write on an O_RDWR descriptor, read-only on an O_RDONLY one.
 * - A window not inside the buffer (offset at or past the end, or length
 *   reaching past it) fails with EINVAL.
 * - MAP_PRIVATE fails with EINVAL: a private mapping is copy-on-write, and
 *   copy-on-write of PFN-mapped pages is not offered.
 * - If the page tables cannot be built (out of memory), mmap() fails with
 *   EAGAIN, as legacy remap_pfn_range() drivers have always said.
 * - The mapping is a PFN map: VmFlags "io pf dd de" in /proc/PID/smaps, so
 *   mremap() cannot grow it (EFAULT); shrinking, partial munmap() and
 *   fork() work, and the child sees the same pages.
 *
 * Refused by the core before the driver is asked: offset + length wrapping
 * around (EOVERFLOW), PROT_WRITE with MAP_SHARED on an O_RDONLY descriptor
 * (EACCES). Allocations the core makes before the driver's page tables
 * (the VMA and its tree slot) fail with ENOMEM.
 */
#ifndef KIT_PFN_REMAP_UAPI_H
#define KIT_PFN_REMAP_UAPI_H

#define KIT_PFN_NAME	"kit_pfn"
#define KIT_PFN_PATH	"/dev/" KIT_PFN_NAME

/* Buffer size, in pages of the running kernel; a power of two. */
#define KIT_PFN_PAGES	4UL

/**
 * kit_pfn_pattern() - the byte the buffer holds at an offset after load
 * @off: byte offset from the start of the buffer
 *
 * Neighbouring bytes differ, and so do bytes 256 apart and the same byte of
 * two different pages, so a mapping of the wrong page frame shows up. Byte
 * 0 is not zero, which a zeroed page would match.
 *
 * Return: the expected byte value.
 */
static inline unsigned char kit_pfn_pattern(unsigned long off)
{
	return (unsigned char)(0x3c ^ (off + 7 * (off >> 8) + 0x4b * (off >> 12)));
}

#endif /* KIT_PFN_REMAP_UAPI_H */
