// SPDX-License-Identifier: GPL-2.0
/*
 * lock_abort_after.c - a revocable session mapped through .mmap_prepare
 *
 * The "after" half of the lock-abort example: before/lock_abort_before.c
 * converted the way upstream converts such drivers. .mmap_prepare runs
 * before the VMA exists, and the mmap() may still fail after it returns
 * without the driver being told. So nothing it does may need undoing:
 *
 * - it takes the mutex only to check the state, and drops it again;
 * - it asks for the page tables through desc->action;
 * - the VMA's reference is taken in vm_ops->mapped, which runs only once
 *   the VMA is in place, and dropped in vm_ops->close.
 *
 * The pages stay allocated between the two hooks because the open file
 * holds a reference, and mmap() holds the file. The session state and the
 * other hooks are unchanged from before/; the contract is in
 * ../lock-abort-uapi.h.
 */

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "../lock-abort-uapi.h"

/* Shared plumbing 1 of 3: every variant has it byte for byte (make lint). */
#define KIT_LOCK_SIZE	(KIT_LOCK_PAGES * PAGE_SIZE)

enum kit_lock_state {
	KIT_LOCK_ACTIVE,
	KIT_LOCK_REVOKED,
};

/**
 * struct kit_lock_session - a buffer and the count of its users
 * @ref: one for the device while active, one per open file bound to the
 *	session, one per VMA mapping it
 * @state: ACTIVE until revoked, never back; written under kit_lock_mutex
 * @gen: generation, which picks the buffer's pattern
 * @pages: KIT_LOCK_PAGES physically contiguous pages
 */
struct kit_lock_session {
	struct kref ref;
	enum kit_lock_state state;
	unsigned int gen;
	struct page *pages;
};

/* Guards every session's state and the choice of the active session. */
static DEFINE_MUTEX(kit_lock_mutex);
static struct kit_lock_session *kit_lock_active;
static unsigned int kit_lock_gen;
/* Sessions not yet freed; a leaked reference shows up here. */
static atomic_t kit_lock_live = ATOMIC_INIT(0);

/**
 * kit_lock_new() - allocate a session and fill its buffer
 * @gen: the generation to give it
 *
 * Return: the session holding one reference (the device's), or NULL.
 */
static struct kit_lock_session *kit_lock_new(unsigned int gen)
{
	struct kit_lock_session *s;
	unsigned char *buf;
	unsigned long off;

	s = kzalloc_obj(*s);
	if (!s)
		return NULL;
	s->pages = alloc_pages(GFP_KERNEL, get_order(KIT_LOCK_SIZE));
	if (!s->pages) {
		kfree(s);
		return NULL;
	}
	buf = page_address(s->pages);
	for (off = 0; off < KIT_LOCK_SIZE; off++)
		buf[off] = kit_lock_pattern(gen, off);
	kref_init(&s->ref);
	s->state = KIT_LOCK_ACTIVE;
	s->gen = gen;
	atomic_inc(&kit_lock_live);
	return s;
}

/**
 * kit_lock_free() - free a session once its last reference is gone
 * @ref: the session's kref
 */
static void kit_lock_free(struct kref *ref)
{
	struct kit_lock_session *s = container_of(ref, struct kit_lock_session,
						  ref);

	__free_pages(s->pages, get_order(KIT_LOCK_SIZE));
	kfree(s);
	atomic_dec(&kit_lock_live);
}

/**
 * kit_lock_put() - drop one reference to a session
 * @s: the session; freed if this was the last reference
 */
static void kit_lock_put(struct kit_lock_session *s)
{
	kref_put(&s->ref, kit_lock_free);
}

/* End of shared plumbing 1 of 3. */

/**
 * kit_lock_vm_open() - count a VMA copied from a mapping
 * @vma: the copy made by a split, fork or mremap() move
 *
 * Only a VMA whose ->mapped succeeded lives long enough to be copied.
 */
static void kit_lock_vm_open(struct vm_area_struct *vma)
{
	struct kit_lock_session *s = vma->vm_private_data;

	kref_get(&s->ref);
}

/**
 * kit_lock_vm_close() - drop a VMA's reference to its session, if it has one
 * @vma: the VMA being removed
 *
 * When the remap or ->mapped fails, the core unmaps the new VMA and so
 * calls this for a VMA that never got a reference: vm_private_data is
 * still the NULL that .mmap_prepare left there. (Under a stacked legacy
 * .mmap, the compat path, such a failure is not followed by ->close at
 * all, which is just as safe.)
 */
static void kit_lock_vm_close(struct vm_area_struct *vma)
{
	if (vma->vm_private_data)
		kit_lock_put(vma->vm_private_data);
}

/**
 * kit_lock_mapped() - take the new VMA's reference, unless revoked meanwhile
 * @start: start of the new VMA
 * @end: end of the new VMA
 * @pgoff: its page offset
 * @file: the mapped file; private_data is the session .mmap_prepare checked
 * @vm_private_data: the VMA's private data, set here once the reference is
 *	held
 *
 * The mutex was dropped since .mmap_prepare checked the state, so it is
 * checked again under the mutex, together with taking the reference: once
 * KIT_LOCK_REVOKE has returned, the session gains no new mapping.
 *
 * Return: 0, -ENODEV if revoked since .mmap_prepare, -EINTR if killed. On
 * an error the core unmaps the VMA and mmap() fails.
 */
static int kit_lock_mapped(unsigned long start, unsigned long end,
			   pgoff_t pgoff, const struct file *file,
			   void **vm_private_data)
{
	struct kit_lock_session *s = file->private_data;
	int ret;

	ret = mutex_lock_killable(&kit_lock_mutex);
	if (ret)
		return ret;
	if (s->state == KIT_LOCK_ACTIVE) {
		kref_get(&s->ref);
		*vm_private_data = s;
	} else {
		ret = -ENODEV;
	}
	mutex_unlock(&kit_lock_mutex);
	return ret;
}

static const struct vm_operations_struct kit_lock_vm_ops = {
	.open = kit_lock_vm_open,
	.close = kit_lock_vm_close,
	.mapped = kit_lock_mapped,
};

/**
 * kit_lock_mmap_prepare() - check the request and describe the mapping
 * @desc: the proposed mapping; desc->file->private_data is the session
 *
 * Return: 0, -EINVAL for a private mapping or a window outside the buffer,
 * -ENODEV for a revoked or missing session, -EINTR if killed while waiting
 * for the lock.
 */
static int kit_lock_mmap_prepare(struct vm_area_desc *desc)
{
	struct kit_lock_session *s = desc->file->private_data;
	int ret;

	if (!vma_desc_test(desc, VMA_MAYSHARE_BIT))
		return -EINVAL;
	/* pgoff is checked first so that the subtraction cannot wrap. */
	if (desc->pgoff >= KIT_LOCK_PAGES ||
	    vma_desc_pages(desc) > KIT_LOCK_PAGES - desc->pgoff)
		return -EINVAL;
	if (!s)
		return -ENODEV;

	/*
	 * Taken and dropped here: a lock still held on return would stay
	 * held if a later step of mmap() failed. The check only gives the
	 * early errno; ->mapped repeats it where the reference is taken.
	 */
	ret = mutex_lock_killable(&kit_lock_mutex);
	if (ret)
		return ret;
	if (s->state != KIT_LOCK_ACTIVE) {
		ret = -ENODEV;
		goto unlock;
	}
	desc->vm_ops = &kit_lock_vm_ops;
	/* NULL tells ->close there is no reference; ->mapped sets it. */
	desc->private_data = NULL;
	/*
	 * The remap also makes the mapping a PFN map, which never merges
	 * with a neighbour. That matters: a new mapping merged into an
	 * existing VMA gets no ->mapped, so the state would not be checked
	 * again. Without such flags, set VMA_DONTEXPAND_BIT to prevent it.
	 */
	mmap_action_remap_full(desc, page_to_pfn(s->pages) + desc->pgoff);
unlock:
	mutex_unlock(&kit_lock_mutex);
	return ret;
}

/* Shared plumbing 2 of 3: every variant has it byte for byte (make lint). */
/**
 * kit_lock_open() - bind a new file to the active session, if any
 * @inode: the device inode
 * @file: the new file
 *
 * The file's reference keeps the session's pages while it is open.
 *
 * Return: 0, or -EINTR if killed while waiting for the lock.
 */
static int kit_lock_open(struct inode *inode, struct file *file)
{
	struct kit_lock_session *s;
	int ret;

	ret = mutex_lock_killable(&kit_lock_mutex);
	if (ret)
		return ret;
	s = kit_lock_active;
	if (s)
		kref_get(&s->ref);
	mutex_unlock(&kit_lock_mutex);
	file->private_data = s;
	return 0;
}

/**
 * kit_lock_release() - drop the file's reference to its session
 * @inode: the device inode
 * @file: the file being closed
 *
 * Return: 0.
 */
static int kit_lock_release(struct inode *inode, struct file *file)
{
	if (file->private_data)
		kit_lock_put(file->private_data);
	return 0;
}

/**
 * kit_lock_revoke() - revoke the active session
 *
 * Return: 0, -ENODEV if no session is active, -EINTR if killed.
 */
static long kit_lock_revoke(void)
{
	struct kit_lock_session *s;
	int ret;

	ret = mutex_lock_killable(&kit_lock_mutex);
	if (ret)
		return ret;
	s = kit_lock_active;
	if (s) {
		s->state = KIT_LOCK_REVOKED;
		kit_lock_active = NULL;
	}
	mutex_unlock(&kit_lock_mutex);
	if (!s)
		return -ENODEV;
	/* The device's reference; files and VMAs keep their own. */
	kit_lock_put(s);
	return 0;
}

/**
 * kit_lock_start() - start a new session when none is active
 *
 * Return: its generation, -EBUSY if a session is active, -ENOMEM, -EINTR.
 */
static long kit_lock_start(void)
{
	struct kit_lock_session *s;
	long ret;

	ret = mutex_lock_killable(&kit_lock_mutex);
	if (ret)
		return ret;
	if (kit_lock_active) {
		ret = -EBUSY;
		goto unlock;
	}
	s = kit_lock_new(kit_lock_gen + 1);
	if (!s) {
		ret = -ENOMEM;
		goto unlock;
	}
	kit_lock_active = s;
	ret = ++kit_lock_gen;
unlock:
	mutex_unlock(&kit_lock_mutex);
	return ret;
}

/**
 * kit_lock_ioctl() - revoke or start a session, or count the live ones
 * @file: the open device
 * @cmd: KIT_LOCK_REVOKE, KIT_LOCK_START or KIT_LOCK_LIVE
 * @arg: unused
 *
 * Return: see the commands in ../lock-abort-uapi.h; -ENOTTY for others.
 */
static long kit_lock_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	switch (cmd) {
	case KIT_LOCK_REVOKE:
		return kit_lock_revoke();
	case KIT_LOCK_START:
		return kit_lock_start();
	case KIT_LOCK_LIVE:
		return atomic_read(&kit_lock_live);
	}
	return -ENOTTY;
}

/* End of shared plumbing 2 of 3. */

static const struct file_operations kit_lock_fops = {
	.owner = THIS_MODULE,
	.open = kit_lock_open,
	.release = kit_lock_release,
	.unlocked_ioctl = kit_lock_ioctl,
	.mmap_prepare = kit_lock_mmap_prepare,
};

/* Shared plumbing 3 of 3: every variant has it byte for byte (make lint). */
static struct miscdevice kit_lock_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KIT_LOCK_NAME,
	.fops = &kit_lock_fops,
};

/**
 * kit_lock_init() - start the first session, then register the device
 *
 * Return: 0 or a negative errno.
 */
static int __init kit_lock_init(void)
{
	int ret;

	kit_lock_active = kit_lock_new(1);
	if (!kit_lock_active)
		return -ENOMEM;
	kit_lock_gen = 1;
	ret = misc_register(&kit_lock_misc);
	if (ret)
		kit_lock_put(kit_lock_active);
	return ret;
}

/**
 * kit_lock_exit() - remove the device and drop its session
 *
 * Files pin the module (fops.owner) and VMAs pin their file, so no file
 * or VMA is left: the device's reference is the last of every session,
 * and nobody else can take the lock any more.
 */
static void __exit kit_lock_exit(void)
{
	misc_deregister(&kit_lock_misc);
	if (kit_lock_active)
		kit_lock_put(kit_lock_active);
}

module_init(kit_lock_init);
module_exit(kit_lock_exit);
/* End of shared plumbing 3 of 3. */

MODULE_DESCRIPTION("mmap_prepare kit: revocable session, .mmap_prepare");
MODULE_LICENSE("GPL");
