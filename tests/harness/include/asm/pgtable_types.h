/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of arch/x86/include/asm/pgtable_types.h, DUPLICATED: the protection
 * bits in use.
 */
/* Shim: x86 page protection bits the model keeps in its page tables. */
#ifndef _SHIM_ASM_PGTABLE_TYPES_H
#define _SHIM_ASM_PGTABLE_TYPES_H

typedef unsigned long pgprotval_t;
typedef struct pgprot {
	pgprotval_t pgprot;
} pgprot_t;

#define __pgprot(x)	((pgprot_t){ (x) })
#define pgprot_val(x)	((x).pgprot)

#define _PAGE_PRESENT	(1UL << 0)
#define _PAGE_RW	(1UL << 1)
#define _PAGE_USER	(1UL << 2)
#define _PAGE_PWT	(1UL << 3)
#define _PAGE_PCD	(1UL << 4)
#define _PAGE_NX	(1UL << 63)

#define _PAGE_CACHE_MASK	(_PAGE_PWT | _PAGE_PCD)

#define PAGE_NONE	__pgprot(0)
#define PAGE_SHARED	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_RW | _PAGE_NX)
#define PAGE_READONLY	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_NX)

/* Uncached minus and write-combining, as the default x86 PAT programs them. */
#define pgprot_noncached(prot)	 __pgprot(pgprot_val(prot) | _PAGE_PCD)
#define pgprot_writecombine(prot) __pgprot(pgprot_val(prot) | _PAGE_PWT)
#define pgprot_decrypted(prot)	 (prot)

#endif
