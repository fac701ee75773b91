// SPDX-License-Identifier: GPL-2.0
/*
 * The system calls a test makes as "userspace" (include/harness/user.h), and
 * user memory access through the modelled page tables. Every call checks on
 * its way out that the driver left no lock held.
 */
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

struct file *user_open(const char *path, int flags)
{
	const char *name = path;
	struct miscdevice *misc;
	struct file *file;

	if (!strncmp(name, "/dev/", 5))
		name += 5;
	misc = misc_find(name);
	file = misc ? file_open(misc, flags) : ERR_PTR(-ENOENT);
	harness_return_to_user("open");
	return file;
}

void user_close(struct file *file)
{
	if (file->f_op->flush)
		file->f_op->flush(file, NULL);
	fput(file);
	harness_return_to_user("close");
}

long user_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	long ret = -ENOTTY;

	if (file->f_op->unlocked_ioctl)
		ret = file->f_op->unlocked_ioctl(file, cmd, arg);
	harness_return_to_user("ioctl");
	return ret;
}

unsigned long user_mmap(struct mm_struct *mm, unsigned long addr,
			unsigned long len, unsigned long prot,
			unsigned long flags, struct file *file,
			unsigned long pgoff)
{
	unsigned long ret;

	current_mm = mm;
	ret = do_mmap(mm, file, addr, len, prot, flags, pgoff);
	harness_return_to_user("mmap");
	return ret;
}

int user_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	int ret;

	current_mm = mm;
	ret = do_munmap(mm, addr, len);
	harness_return_to_user("munmap");
	return ret;
}

unsigned long user_mremap(struct mm_struct *mm, unsigned long addr,
			  unsigned long old_len, unsigned long new_len,
			  unsigned long flags, unsigned long new_addr)
{
	unsigned long ret;

	current_mm = mm;
	ret = do_mremap(mm, addr, old_len, new_len, flags, new_addr);
	harness_return_to_user("mremap");
	return ret;
}

struct mm_struct *user_fork(struct mm_struct *mm)
{
	struct mm_struct *child;

	current_mm = mm;
	child = dup_mm(mm);
	harness_return_to_user("fork");
	return child;
}

/* Fault the page at @addr in for an access; 0 or the signal as -errno. */
static int fault_in(struct mm_struct *mm, unsigned long addr, bool write,
		    struct pte_info *pte)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	vm_fault_t ret;

	if (!vma || vma->vm_start > addr ||
	    !vma_test(vma, write ? VMA_WRITE_BIT : VMA_READ_BIT))
		return -EFAULT;
	if (pte_lookup(mm, addr, pte) &&
	    (!write || (pgprot_val(pte->prot) & _PAGE_RW)))
		return 0;
	current_mm = mm;
	ret = handle_mm_fault(vma, addr, write);
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & VM_FAULT_SIGSEGV)
		return -EFAULT;
	if (ret & VM_FAULT_ERROR)
		return -EIO;
	if (!pte_lookup(mm, addr, pte)) {
		report("->fault at %#lx returned VM_FAULT_NOPAGE but installed no entry",
		       addr);
		return -EIO;
	}
	return 0;
}

static int user_access(struct mm_struct *mm, unsigned long addr, void *buf,
		       size_t len, bool write)
{
	int err = 0;

	while (len && !err) {
		unsigned long page = addr & PAGE_MASK;
		size_t chunk = min(len, (size_t)(page + PAGE_SIZE - addr));
		struct pte_info pte;
		char *mem;

		err = fault_in(mm, page, write, &pte);
		if (err)
			break;
		mem = pfn_memory(pte.pfn, write ? "write" : "read");
		if (!mem) {
			err = -EIO;
			break;
		}
		mem += addr - page;
		if (write)
			memcpy(mem, buf, chunk);
		else
			memcpy(buf, mem, chunk);
		addr += chunk;
		buf = (char *)buf + chunk;
		len -= chunk;
	}
	harness_return_to_user(write ? "write to memory" : "read from memory");
	return err;
}

int user_read(struct mm_struct *mm, unsigned long addr, void *buf, size_t len)
{
	return user_access(mm, addr, buf, len, false);
}

int user_write(struct mm_struct *mm, unsigned long addr, const void *buf,
	       size_t len)
{
	return user_access(mm, addr, (void *)buf, len, true);
}

static const char *const vma_flag_names[] = {
	[VMA_READ_BIT] = "read", [VMA_WRITE_BIT] = "write",
	[VMA_EXEC_BIT] = "exec", [VMA_SHARED_BIT] = "shared",
	[VMA_MAYREAD_BIT] = "mayread", [VMA_MAYWRITE_BIT] = "maywrite",
	[VMA_MAYEXEC_BIT] = "mayexec", [VMA_MAYSHARE_BIT] = "mayshare",
	[VMA_PFNMAP_BIT] = "pfnmap", [VMA_LOCKED_BIT] = "locked",
	[VMA_IO_BIT] = "io", [VMA_DONTCOPY_BIT] = "dontcopy",
	[VMA_DONTEXPAND_BIT] = "dontexpand", [VMA_ACCOUNT_BIT] = "account",
	[VMA_NORESERVE_BIT] = "noreserve", [VMA_DONTDUMP_BIT] = "dontdump",
	[VMA_MIXEDMAP_BIT] = "mixedmap", [VMA_HUGEPAGE_BIT] = "hugepage",
	[VMA_NOHUGEPAGE_BIT] = "nohugepage", [VMA_WIPEONFORK_BIT] = "wipeonfork",
};

static void layout_vma(FILE *out, struct vm_area_struct *vma)
{
	unsigned int bit;

	fprintf(out, "vma %#lx-%#lx pgoff %#lx file %s flags", vma->vm_start,
		vma->vm_end, vma->vm_pgoff,
		vma->vm_file ? vma->vm_file->f_name : "-");
	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!(vma->vm_flags & BIT(bit)))
			continue;
		if (bit < ARRAY_SIZE(vma_flag_names) && vma_flag_names[bit])
			fprintf(out, " %s", vma_flag_names[bit]);
		else
			fprintf(out, " bit%u", bit);
	}
	fputc('\n', out);
}

char *mm_layout(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	unsigned long addr;
	struct pte_info pte;
	char *text = NULL;
	size_t size;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		abort();
	list_for_each_entry(vma, &mm->vmas, vm_node) {
		layout_vma(out, vma);
		for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
			if (!pte_lookup(mm, addr, &pte))
				continue;
			fprintf(out, "  pte %#lx %s %s%s%s%s\n", addr,
				pfn_name(pte.pfn), pte.page ? "page" : "pfn",
				pgprot_val(pte.prot) & _PAGE_RW ? " rw" : " ro",
				pgprot_val(pte.prot) & _PAGE_PCD ? " uc" : "",
				pgprot_val(pte.prot) & _PAGE_PWT ? " wc" : "");
		}
	}
	fclose(out);
	return text;
}
