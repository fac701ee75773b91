/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The failure points of an mmap(): the one table their names come from.
 * The harness includes it (fault-inject.c), scripts/kit/failpoints.py reads
 * it for the guide (the table in Documentation/lifecycle.rst, the checks of
 * the figures and of every "Fn" in the guide, the slides and the lab hints)
 * and for the check that the harness and this table name the same points.
 * Keep one row per line, in this form: the Python side reads the lines.
 *
 * FAILURE_STAGE(n, id, label): where on the mmap path the call fails, Fn
 * in the guide. A failure injected while the model is in that stage is
 * reported as "at Fn (label)".
 *
 * FAILURE_POINT(name, stages, label): a point the harness can fail,
 * should_fail("name") (or a race point, race_point("name")); stages lists
 * the n of every stage it may be hit in ("-": outside any mmap(), "*": any,
 * as for a kernel API a driver can call from any hook). The harness refuses
 * a point that is not here and a hit in a stage not listed.
 */
FAILURE_STAGE(0, region_checks, "mmap_region() refuses the request before any work")
FAILURE_STAGE(1, setup, "__mmap_setup(): the limits or the memory charge")
FAILURE_STAGE(2, prepare, "->mmap_prepare fails, or mmap_action_prepare() rejects its action")
FAILURE_STAGE(3, new_vma, "no VMA or no tree slot for it")
FAILURE_STAGE(4, complete, "the action or ->mapped fails on the established VMA")
FAILURE_STAGE(5, legacy, "the legacy ->mmap fails")
FAILURE_STAGE(6, compat, "the compatibility path fails inside an outer ->mmap")

FAILURE_POINT(may_expand_vm, "1 -", "may_expand_vm() refuses the larger address space")
FAILURE_POINT(vm_enough_memory, "1 -", "security_vm_enough_memory_mm() refuses the charge")
FAILURE_POINT(hook, "2 5 6", "the file's own mmap hook fails before doing anything")
FAILURE_POINT(vma_alloc, "3 -", "vm_area_alloc() fails")
FAILURE_POINT(iter_prealloc, "3 -", "vma_iter_prealloc() fails")
FAILURE_POINT(merge_expand, "*", "vma_expand() of a merge fails")
FAILURE_POINT(mapped, "4 6", "vm_ops->mapped fails before doing anything")
FAILURE_POINT(vma_dup, "1 -", "vm_area_dup() fails (split, fork, mremap)")
FAILURE_POINT(pmd_alloc, "*", "a page middle directory cannot be allocated")
FAILURE_POINT(pte_alloc, "*", "a page table cannot be allocated")
FAILURE_POINT(alloc_pages, "*", "alloc_pages() fails")
FAILURE_POINT(kmalloc, "*", "kmalloc() fails")
FAILURE_POINT(vmalloc, "*", "vmalloc() fails")
FAILURE_POINT(shmem_file_setup, "*", "shmem_file_setup() fails")
FAILURE_POINT(misc_register, "*", "misc_register() fails")
FAILURE_POINT(anon_inode_getfile, "*", "anon_inode_getfile() fails")
FAILURE_POINT(mutex_lock_killable, "*", "a fatal signal interrupts mutex_lock_killable()")
FAILURE_POINT(mutex_lock_interruptible, "*", "a signal interrupts mutex_lock_interruptible()")
