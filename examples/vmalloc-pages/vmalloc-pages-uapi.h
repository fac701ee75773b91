/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmalloc-pages-uapi.h - the mmap() contract of /dev/kit_vmalloc
 *
 * Shared by the two modules (before/, after/) and the lab checker; plain C
 * with no kernel or libc header.
 *
 * The device owns a vmalloc_user() buffer of KIT_VMALLOC_PAGES pages,
 * filled with kit_vmalloc_pattern(offset) at module load. The pages are
 * not contiguous, so mmap() maps them one by one: each page table entry
 * points at one ordinary kernel page and holds a reference to it. Every
 * open, every mapping and every process sees the same bytes.
 *
 * mmap() contract, identical for the legacy .mmap and the .mmap_prepare
 * variant (offsets in bytes, "page" is the kernel page size):
 *
 * - MAP_SHARED of [offset, offset + length) inside the buffer succeeds,
 *   read-write on an O_RDWR descriptor, read-only on an O_RDONLY one. All
 *   its pages are mapped before mmap() returns.
 * - A window not inside the buffer (offset at or past the end, or length
 *   reaching past it) fails with EINVAL.
 * - MAP_PRIVATE fails with EINVAL, whatever the descriptor's mode: a
 *   private mapping would stop seeing the buffer at its first write.
 * - If the page tables cannot be built (out of memory), mmap() fails with
 *   ENOMEM, as vm_insert_page() says.
 * - VmFlags in /proc/PID/smaps: "mm" (a mixed map: the driver inserted the
 *   pages, no fault handler) and "de" (do not expand), never "io", "pf" or
 *   "dd"; "sh" and "mw" on an O_RDWR descriptor only. Both variants show
 *   exactly the same set: vm_insert_page() sets VM_MIXEDMAP on the VMA
 *   inside .mmap, the action sets it on the description before the VMA
 *   exists, and either way it is there before anyone can look.
 * - mremap() cannot grow the mapping (EFAULT); shrinking and moving it,
 *   partial munmap() and fork() work, and a forked child shares the pages
 *   with its parent.
 *
 * Refused by the core before the driver is asked: offset + length wrapping
 * around (EOVERFLOW), PROT_WRITE with MAP_SHARED on an O_RDONLY descriptor
 * (EACCES). Allocations the core makes before the driver runs (the VMA and
 * its tree slot) fail with ENOMEM.
 */
#ifndef KIT_VMALLOC_PAGES_UAPI_H
#define KIT_VMALLOC_PAGES_UAPI_H

#define KIT_VMALLOC_NAME	"kit_vmalloc"
#define KIT_VMALLOC_PATH	"/dev/" KIT_VMALLOC_NAME

/* Buffer size, in pages of the running kernel; not a power of two. */
#define KIT_VMALLOC_PAGES	6UL

/**
 * kit_vmalloc_pattern() - the byte the buffer holds at an offset after load
 * @off: byte offset from the start of the buffer
 *
 * Neighbouring bytes differ, and so do bytes 256 apart and the same byte of
 * two different pages, so a mapping of the wrong page or a shifted window
 * shows up. Byte 0 is not zero, which a zeroed page would match.
 *
 * Return: the expected byte value.
 */
static inline unsigned char kit_vmalloc_pattern(unsigned long off)
{
	return (unsigned char)(0x5a ^ (off + 11 * (off >> 8) + 0x6d * (off >> 12)));
}

#endif /* KIT_VMALLOC_PAGES_UAPI_H */
