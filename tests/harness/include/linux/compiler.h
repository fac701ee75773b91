/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/compiler*.h, STUBBED: annotations expand to
 * nothing or to the GCC attribute.
 */
/* Shim: the compiler attributes and annotations kernel sources expect. */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

#define __user
#define __iomem
#define __force
#define __bitwise
#define __rcu
#define __must_check		__attribute__((warn_unused_result))
#ifndef __always_inline	/* glibc's sys/cdefs.h has the same one */
#define __always_inline		inline __attribute__((always_inline))
#endif
#define __maybe_unused		__attribute__((unused))
#define __always_unused		__attribute__((unused))
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __aligned(x)		__attribute__((aligned(x)))
#define __packed		__attribute__((packed))
#define __cold			__attribute__((cold))
#define __noreturn		__attribute__((noreturn))
#define __randomize_layout
#define __counted_by(member)
#define fallthrough		__attribute__((fallthrough))

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

/* The model is single threaded: plain accesses are enough. */
#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, val)	(*(volatile typeof(x) *)&(x) = (val))
#define barrier()		__asm__ __volatile__("" : : : "memory")

#define __stringify_1(x)	#x
#define __stringify(x)		__stringify_1(x)

#endif
