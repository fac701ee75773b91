/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/kit_flags: the contract between the example modules and their users
 *
 * Shared by both example modules (before/ and after/) and by the userspace
 * checker, so it holds nothing but macros and one plain-C function: it needs
 * no kernel or libc header.
 *
 * The device owns one buffer of KIT_FLAGS_PAGES pages, filled at module load
 * with kit_flags_pattern(offset) and shared by every open and every mapping:
 * a store through one mapping is seen through all the others until the module
 * is unloaded. The file has no read() or write(); mmap() is the only way in.
 *
 * mmap() contract, the same for the legacy .mmap and the .mmap_prepare
 * variant ("page" is the kernel page size; offsets are in bytes):
 *
 * - MAP_SHARED (or MAP_SHARED_VALIDATE) of [offset, offset + length) inside
 *   the buffer succeeds, also read-only on an O_RDONLY descriptor.
 * - MAP_PRIVATE fails with EINVAL: a private copy of device memory is not
 *   something this device offers.
 * - A window that does not lie inside the buffer (offset at or past the end,
 *   length reaching past the end) fails with EINVAL.
 * - PROT_EXEC fails with EPERM. The mapping can never gain exec rights either:
 *   mprotect(PROT_EXEC) fails with EACCES (the core refuses it because the
 *   driver cleared VM_MAYEXEC).
 * - The mapping is marked "do not expand" and "do not dump" (VmFlags "de" and
 *   "dd" in /proc/PID/smaps): mremap() growing it fails with EFAULT (from the
 *   core); shrinking, partial munmap() and fork() work as usual.
 *
 * Rejected by the core before the driver is even asked:
 * offset + length wrapping around fails with EOVERFLOW, an offset that is not
 * a multiple of the page size with EINVAL, PROT_WRITE with MAP_SHARED on an
 * O_RDONLY descriptor with EACCES.
 */
#ifndef KIT_FLAGS_UAPI_H
#define KIT_FLAGS_UAPI_H

#define KIT_FLAGS_NAME	"kit_flags"
#define KIT_FLAGS_PATH	"/dev/" KIT_FLAGS_NAME

/* Buffer size, in pages of the running kernel. */
#define KIT_FLAGS_PAGES	4UL

/**
 * kit_flags_pattern() - the byte the buffer holds at an offset after load
 * @off: byte offset from the start of the buffer
 *
 * Neighbouring bytes differ, bytes 256 apart differ, and the same byte of
 * two pages of the buffer differs (for 4 KiB to 64 KiB pages), so reading the
 * wrong page or a shifted offset is caught. The seed keeps byte 0 from being
 * zero, which a zeroed page would match.
 *
 * Return: the expected byte value.
 */
static inline unsigned char kit_flags_pattern(unsigned long off)
{
	return (unsigned char)(0xa5 + off + 3 * (off >> 8) + 0x35 * (off >> 12));
}

#endif /* KIT_FLAGS_UAPI_H */
