// SPDX-License-Identifier: GPL-2.0
/* The scenarios the example suites share; see include/harness/scenario.h. */
#include <stdio.h>
#include <stdlib.h>
#include <harness/scenario.h>

#define ROW_ADDR	0x20000000UL

struct user_dev user_dev_open(const char *module, const char *path,
			      int open_flags)
{
	struct user_dev dev = { .module = module };

	assert_int_equal(module_load(module), 0);
	dev.mm = mm_alloc();
	dev.file = user_open(path, open_flags);
	assert_false(IS_ERR(dev.file));
	return dev;
}

void user_dev_close(struct user_dev *dev)
{
	mmput(dev->mm);
	user_close(dev->file);
	assert_int_equal(module_unload(dev->module), 0);
}

/* Read a byte of every page; the errors, in order, go to @out. */
static void touch(FILE *out, struct mm_struct *mm, unsigned long addr,
		  unsigned long len)
{
	unsigned long off;
	char byte;

	fprintf(out, "touch:");
	for (off = 0; off < len; off += PAGE_SIZE)
		fprintf(out, " %d", user_read(mm, addr + off, &byte, 1));
	fputc('\n', out);
}

static void row_then(FILE *out, struct user_dev *dev, const struct mmap_row *row)
{
	struct mm_struct *child;

	switch (row->then) {
	case ROW_NOTHING:
		break;
	case ROW_TOUCH:
		touch(out, dev->mm, ROW_ADDR, row->len);
		break;
	case ROW_SPLIT:
		touch(out, dev->mm, ROW_ADDR, row->len);
		fprintf(out, "munmap: %d\n", user_munmap(dev->mm, ROW_ADDR + PAGE_SIZE,
							 PAGE_SIZE));
		break;
	case ROW_SHRINK:
		touch(out, dev->mm, ROW_ADDR, row->len);
		fprintf(out, "mremap: %ld\n", (long)user_mremap(dev->mm, ROW_ADDR,
							 row->len, PAGE_SIZE, 0, 0));
		break;
	case ROW_FORK:
		child = user_fork(dev->mm);
		fprintf(out, "fork: %s\n", child ? "ok" : "failed");
		if (!child)
			break;
		touch(out, child, ROW_ADDR, row->len);
		mmput(dev->mm);
		dev->mm = child;
		break;
	}
}

#define FINDINGS	"findings:\n"

/*
 * Run @row on a fresh harness with @module: the mmap() result, what the
 * follow-up steps returned, the VMAs and page tables left, and the findings
 * if the run ended dirty, as text (to be freed).
 */
static char *mmap_row_run(const char *module, const char *path,
			  const struct mmap_row *row)
{
	struct user_dev dev;
	char *layout, *findings, *text = NULL;
	size_t size;
	FILE *out = open_memstream(&text, &size);
	long ret;

	if (!out)
		abort();
	harness_reset();
	dev = user_dev_open(module, path, row->open_flags);
	ret = user_mmap(dev.mm, ROW_ADDR, row->len, row->prot,
			row->flags | MAP_FIXED, dev.file, row->pgoff);
	if (IS_ERR_VALUE(ret))
		fprintf(out, "%s: mmap %ld\n", row->name, ret);
	else
		fprintf(out, "%s: mmap %#lx\n", row->name, ret);
	if (ret == (long)ROW_ADDR)
		row_then(out, &dev, row);
	layout = mm_layout(dev.mm);
	fputs(layout, out);
	free(layout);
	user_dev_close(&dev);
	findings = harness_findings();
	if (findings)
		fprintf(out, FINDINGS "%s", findings);
	free(findings);
	harness_reset();
	fclose(out);
	return text;
}

/* Length of the line at @s, without its newline. */
static int line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? nl - s : (int)strlen(s);
}

/*
 * The first line where @a differs from @b, under the request (the first
 * line of both) and the line above it, which are the same: what a reader
 * needs first, before the whole of both.
 */
static void print_first_difference(const char *bname, const char *b,
				   const char *aname, const char *a)
{
	const char *request = b, *above = NULL, *found = strstr(a, FINDINGS);
	int line = 1;

	if (!strcmp(b, a)) {
		found = found ?: strstr(b, FINDINGS);
		print_error("%s and %s agree, but leave findings: %.*s\n",
			    bname, aname, line_len(found + strlen(FINDINGS)),
			    found + strlen(FINDINGS));
		return;
	}
	while (line_len(b) == line_len(a) && !strncmp(b, a, line_len(b)) &&
	       b[line_len(b)] == '\n' && a[line_len(a)] == '\n') {
		above = b;
		b += line_len(b) + 1;
		a += line_len(a) + 1;
		line++;
	}
	print_error("%s and %s differ at line %d, for \"%.*s\":\n",
		    bname, aname, line, line_len(request), request);
	if (above && above != request)
		print_error("  %.*s\n", line_len(above), above);
	b = *b ? b : "(nothing more)";
	a = *a ? a : "(nothing more)";
	print_error("- %.*s\n+ %.*s\n", line_len(b), b, line_len(a), a);
}

void assert_rows_equivalent(const char *before, const char *after,
			    const char *path, const struct mmap_row *rows,
			    size_t nr)
{
	bool same = true;
	size_t i;

	for (i = 0; i < nr && same; i++) {
		char *b = mmap_row_run(before, path, &rows[i]);
		char *a = mmap_row_run(after, path, &rows[i]);

		same = !strcmp(b, a) && !strstr(b, FINDINGS);
		if (!same) {
			print_first_difference(before, b, after, a);
			print_error("%s:\n%s%s:\n%s", before, b, after, a);
		}
		free(b);
		free(a);
	}
	assert_true(same);
}

void user_session(void *arg)
{
	const struct session *s = arg;
	struct mm_struct *mm, *child;
	const unsigned long addr = ROW_ADDR;
	struct file *file;
	char byte = 0;

	if (module_load(s->module))
		return;
	mm = mm_alloc();
	file = user_open(s->path, O_RDWR);
	if (IS_ERR(file))
		goto out;
	if (!IS_ERR_VALUE(user_mmap(mm, addr, s->size, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_FIXED, file, 0))) {
		user_read(mm, addr, &byte, 1);
		user_write(mm, addr + s->size - 1, &byte, 1);
		user_munmap(mm, addr + PAGE_SIZE, PAGE_SIZE);
		child = user_fork(mm);
		if (child) {
			user_read(child, addr, &byte, 1);
			mmput(child);
		}
		user_mremap(mm, addr, PAGE_SIZE, s->size, MREMAP_MAYMOVE, 0);
	}
	user_close(file);
out:
	mmput(mm);
	module_unload(s->module);
}

void assert_session_clean(const char *module, const char *path,
			  unsigned long size)
{
	struct session s = { module, path, size };

	assert_true(fault_sweep(module, user_session, &s) > 10);
}

char *session_findings(const char *module, const char *path,
		       unsigned long size)
{
	struct session s = { module, path, size };
	unsigned int runs;
	char *findings = fault_sweep_run(module, user_session, &s, &runs);

	assert_non_null(findings);
	return findings;
}
