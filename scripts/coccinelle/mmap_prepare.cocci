// SPDX-License-Identifier: GPL-2.0-only
/// Find legacy ->mmap handlers and convert the mechanical ones to ->mmap_prepare.
///
/// f_op->mmap is called with a VMA the core has already created, and whatever
/// it does to the VMA or to the driver's state may have to be undone if a
/// later step of mmap() fails. f_op->mmap_prepare is called before the VMA
/// exists, with a struct vm_area_desc to fill in; page tables are requested
/// through desc->action and built by the core. A handler that only sets
/// flags, vm_ops, private data or the page protection, remaps one PFN range
/// of the VMA, maps one array of pages, or only refuses, converts without
/// thought; patch mode does that. Report and org mode print, for each
/// handler, what it does and what blocks the conversion (a lock, a reference
/// or an allocation that needs vm_ops->mapped and ->close, the VMA pointer
/// escaping, dma_mmap_*(), several ranges, a dispatch to another table).
///
/// Every report line reads "mmap_prepare: HANDLER: KEY: DETAIL" so that a
/// tool can collect the lines of one handler.
//
// Confidence: Moderate
// Copyright: (C) 2026 The mmap_prepare porting kit authors.
// Comments: patch mode converts only file_operations handlers; other tables
//  (fb_ops, v4l2_file_operations, ...) have no descriptor form yet.
// Options: --no-includes --include-headers --smpl-spacing
// Requires: 1.3

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
import re

# Facts per (file, handler), for the verdict line.
facts = {}
# Handlers patch mode leaves alone (-D unconverted=...).
left_alone = set()

# Calls that take the VMA and are understood: the map calls and the
# helpers that have a descriptor form.
KNOWN_VMA_CALLS = {
	"remap_pfn_range", "io_remap_pfn_range", "vm_iomap_memory",
	"vm_insert_page", "vm_insert_pages", "vm_map_pages", "vm_map_pages_zero",
	"vma_pages", "vm_flags_set", "vm_flags_clear", "vm_flags_mod",
	"generic_file_mmap", "generic_file_readonly_mmap",
}

CALL_KINDS = [
	("lock", re.compile(r"^(mutex_lock|mutex_lock_interruptible|mutex_lock_killable|"
		r"mutex_trylock|(raw_)?spin_lock(_irq|_irqsave|_bh)?|read_lock|write_lock|"
		r"down_(read|write)(_interruptible|_killable|_trylock)?|down|"
		r"down_interruptible|mmap_(read|write)_lock|(s)?rcu_read_lock|"
		r"guard|scoped_guard|scoped_cond_guard)$")),
	("reference", re.compile(r"^(kref_get|refcount_inc|atomic_inc|atomic_long_inc|"
		r"get_file|get_device|kobject_get|try_module_get|get_task_struct|"
		r"percpu_ref_get|percpu_ref_tryget|pm_runtime_get|pm_runtime_resume_and_get)|"
		r"_get(_unless_zero|_not_zero|_sync)?$")),
	# Any call with alloc in its name: kzalloc_obj(), dma_alloc_coherent(), or
	# __foo_alloc_consistent(). A wrong guess only withholds patch mode.
	# vmalloc_to_page() only looks a page up.
	("allocation", re.compile(r"^(?!.*_to_(page|pfn)$).*alloc|^kmemdup|^kstrdup|"
		r"^get_zeroed_page$|^__get_free_pages?$")),
]

def fact(p, fn, key, detail):
	fs = facts.setdefault((p[0].file, fn), [])
	# Each map call counts (several ranges); other facts are said once.
	if key == "map" or (key, detail) not in fs:
		fs.append((key, detail))

def verdict(fs):
	"""mechanical, "needs mapped+close: WHY" or "blocked: WHY"."""
	table = dict(fs).get("table", "?")
	maps = [d for k, d in fs if k == "map"]
	blocked, state = [], []
	kinds = [k for k, d in fs]
	if table != "file_operations":
		blocked.append("%s has no mmap_prepare: its dispatcher converts first" % table)
	for k, d in fs:
		if k in ("lock", "reference", "allocation"):
			state.append("%s: %s" % (k, d))
		elif k in ("dispatch", "vma_escapes", "flags_compare"):
			blocked.append("%s: %s" % (k, d))
		elif k == "loop" and not (d == "vm_insert_page" and "vmalloc_pages" in kinds):
			blocked.append("several ranges: %s() in a loop" % d)
		elif k == "map" and d.startswith("dma_mmap_"):
			blocked.append("dma_mmap: %s()" % d)
		elif k == "map" and d.startswith("remap_vmalloc_range"):
			blocked.append("vmalloc: %s()" % d)
	if len(maps) > 1 and "loop" not in kinds:
		blocked.append("several ranges: " + ", ".join(m + "()" for m in maps))
	if blocked:
		return "blocked: " + "; ".join(sorted(set(blocked + state)))
	if state:
		return "needs mapped+close: " + "; ".join(sorted(set(state)))
	return "mechanical"

//----------------------------------------------------------------------
// The handlers: functions set as .mmap in an initialiser, and exported
// helpers with a VMA argument that other files set as .mmap.
//----------------------------------------------------------------------

@tbl@
identifier T, s, fn;
identifier fld = {mmap, fb_mmap};
position pt;
@@
struct T s@pt = { ..., .fld = fn, ... };

@hnd@
identifier tbl.fn, vma;
position ph;
@@
fn@ph(..., struct vm_area_struct *vma, ...) { ... }

@script:python depends on report || org || patch@
fn << tbl.fn;
T << tbl.T;
p << hnd.ph;
@@
facts[(p[0].file, fn)] = [("table", T)]

//----------------------------------------------------------------------
// Facts: what each handler does with the VMA.
//----------------------------------------------------------------------

@mapcall@
identifier tbl.fn, hnd.vma;
identifier f = {remap_pfn_range, io_remap_pfn_range, vm_iomap_memory,
		vm_insert_page, vm_insert_pages, vm_map_pages, vm_map_pages_zero,
		remap_vmalloc_range, remap_vmalloc_range_partial,
		dma_mmap_coherent, dma_mmap_wc, dma_mmap_attrs, dma_mmap_pages,
		dma_mmap_noncontiguous};
position p;
@@
fn(...) { <+... f@p(..., vma, ...) ...+> }

@script:python@
fn << tbl.fn;
f << mapcall.f;
p << mapcall.p;
@@
# p holds every position of f in the handler: one fact per call.
for i in range(len(p)):
	fact(p, fn, "map", f)

@maploop@
identifier tbl.fn, hnd.vma;
identifier f = {remap_pfn_range, io_remap_pfn_range, vm_insert_page,
		vm_iomap_memory, vm_insert_pages, vm_map_pages};
statement S;
position p;
@@
fn(...) { <+...
(
for (...;...;...) { <+... f@p(vma, ...) ...+> }
|
while (...) { <+... f@p(vma, ...) ...+> }
|
for (...;...;...) S
)
...+> }

@script:python@
fn << tbl.fn;
f << maploop.f;
p << maploop.p;
@@
fact(p, fn, "loop", f)

// Every call: locks, references and allocations are told apart by name.
@call@
identifier tbl.fn;
identifier f;
position p;
@@
fn(...) { <+... f@p(...) ...+> }

@script:python@
fn << tbl.fn;
f << call.f;
p << call.p;
@@
for kind, names in CALL_KINDS:
	if names.search(f):
		fact(p, fn, kind, f + "()")
		break

// A function pointer called with the VMA: another table's ->mmap, or the
// driver's own vm_ops->open() run by hand for the first VMA.
@dispatch@
identifier tbl.fn, hnd.vma, op;
expression E;
position p;
@@
fn(...) { <+...
(
E->op@p(..., vma, ...)
|
E.op@p(..., vma, ...)
)
...+> }

@script:python@
fn << tbl.fn;
op << dispatch.op;
p << dispatch.p;
@@
if op == "open":
	fact(p, fn, "reference", "vm_ops->open()")
else:
	fact(p, fn, "dispatch", "->%s()" % op)

@escape@
identifier tbl.fn, hnd.vma;
identifier g;
position p;
@@
fn(...) { <+... g@p(..., vma, ...) ...+> }

@script:python@
fn << tbl.fn;
g << escape.g;
p << escape.p;
@@
if g in ("vfs_mmap", "call_mmap", "backing_file_mmap", "compat_vma_mmap"):
	fact(p, fn, "dispatch", g)
elif g not in KNOWN_VMA_CALLS and not g.startswith("dma_mmap_") and \
     not g.startswith("remap_vmalloc_range"):
	fact(p, fn, "vma_escapes", g + "()")

@store@
identifier tbl.fn, hnd.vma;
expression E;
position p;
@@
fn(...) { <+... E =@p vma ...+> }

@script:python@
fn << tbl.fn;
p << store.p;
@@
fact(p, fn, "vma_escapes", "stored")

@vmafield@
identifier tbl.fn, hnd.vma;
identifier fld;
position p;
@@
fn(...) { <+... vma->fld@p ...+> }

@script:python@
fn << tbl.fn;
fld << vmafield.fld;
p << vmafield.p;
@@
if fld in ("vm_flags",):
	fact(p, fn, "flags", fld)
elif fld in ("vm_ops", "vm_private_data", "vm_page_prot"):
	fact(p, fn, "field", fld)
elif fld not in ("vm_pgoff", "vm_start", "vm_end", "vm_file", "vm_mm"):
	fact(p, fn, "vma_escapes", "vma->" + fld)

// A masked comparison such as (vm_flags & (A | B)) != (A | B) has no
// one-call descriptor form, except the copy-on-write test.
@flagcmp@
identifier tbl.fn, hnd.vma;
expression E1, E2;
position p;
@@
fn(...) { <+...
 \( (vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE
 \| (vma->vm_flags & E1) ==@p E2 \| (vma->vm_flags & E1) !=@p E2 \)
...+> }

@script:python@
fn << tbl.fn;
p << flagcmp.p;
@@
fact(p, fn, "flags_compare", "a masked comparison of vm_flags")

@flagcall@
identifier tbl.fn, hnd.vma;
identifier f = {vm_flags_set, vm_flags_clear, vm_flags_mod,
		generic_file_mmap, generic_file_readonly_mmap};
position p;
@@
fn(...) { <+... f@p(..., vma, ...) ...+> }

@script:python@
fn << tbl.fn;
f << flagcall.f;
p << flagcall.p;
@@
fact(p, fn, "flags", f)

// A loop of vm_insert_page() over a vmalloc'd buffer of the file: the
// page array the action needs can be built where the buffer is allocated.
@valloc@
identifier BUF, af = {vmalloc_user, vmalloc, vzalloc, vmalloc_32_user};
expression SZ;
@@
BUF = af(SZ);

@vglobal@
identifier valloc.BUF;
type T;
@@
static T *BUF;

@vloop depends on vglobal@
identifier tbl.fn, hnd.vma, valloc.BUF, I, P, R;
position p;
@@
fn(...) { <+...
for@p (I = 0; I < vma_pages(vma); I++) {
	P = vmalloc_to_page(BUF + (vma->vm_pgoff + I) * PAGE_SIZE);
	R = vm_insert_page(vma, vma->vm_start + I * PAGE_SIZE, P);
	if (R)
		return R;
}
...+> }

@script:python@
fn << tbl.fn;
p << vloop.p;
@@
fact(p, fn, "vmalloc_pages", "vm_insert_page() loop over a vmalloc'd buffer")

@refuse@
identifier tbl.fn;
expression E;
position p;
@@
fn(...) { return@p E; }

@script:python@
fn << tbl.fn;
p << refuse.p;
E << refuse.E;
@@
if E.startswith("-"):
	fact(p, fn, "refuse", E)

//----------------------------------------------------------------------
// The verdict, one line per handler (report and org), and the set of
// handlers patch mode may convert.
//----------------------------------------------------------------------

@script:python depends on report || org@
fn << tbl.fn;
p << hnd.ph;
@@
fs = facts.get((p[0].file, fn), [])
for k, d in fs:
	coccilib.report.print_report(p[0], "mmap_prepare: %s: %s: %s" % (fn, k, d))
coccilib.report.print_report(p[0], "mmap_prepare: %s: verdict: %s" % (fn, verdict(fs)))

@depends on context@
identifier tbl.fn, hnd.vma;
position hnd.ph;
@@
* fn@ph(..., struct vm_area_struct *vma, ...) { ... }

//----------------------------------------------------------------------
// Patch mode, for the handlers judged mechanical above.
//----------------------------------------------------------------------

// -D unconverted=NAME,NAME: handlers patch mode must leave alone although
// judged mechanical (a tool found that their conversion does not hold).
@script:python depends on patch@
names << virtual.unconverted;
@@
left_alone.update(names.split(","))

@script:python mech depends on patch@
fn << tbl.fn;
p << hnd.ph;
mfn;
fn2;
@@
if verdict(facts.get((p[0].file, fn), [])) != "mechanical" or fn in left_alone:
	cocci.include_match(False)
else:
	coccinelle.mfn = cocci.make_ident(fn)
	coccinelle.fn2 = cocci.make_ident(fn + "_prepare")

// The vmalloc loop: one action over a page array filled at allocation.
@vpatch depends on patch@
identifier mech.mfn, hnd.vma, valloc.BUF, vloop.I, vloop.P, vloop.R;
fresh identifier PAGES = BUF ## "_pages";
symbol desc;
@@
mfn(...) { <...
- for (I = 0; I < vma_pages(vma); I++) {
-	P = vmalloc_to_page(BUF + (vma->vm_pgoff + I) * PAGE_SIZE);
-	R = vm_insert_page(vma, vma->vm_start + I * PAGE_SIZE, P);
-	if (R)
-		return R;
- }
+ mmap_action_map_kernel_pages_full(desc, PAGES + desc->pgoff);
+ /* vm_insert_page() failed with -ENOMEM for any page table allocation. */
+ desc->action.error_override = -ENOMEM;
...> }

@depends on patch@
identifier mech.mfn, x = {vloop.I, vloop.P, vloop.R};
type T;
@@
mfn(...) {
... when any
- T x;
... when != x
    when strict
}

@depends on patch@
identifier valloc.BUF, vpatch.PAGES;
expression valloc.SZ;
type vglobal.T;
@@
static T *BUF;
+ /* The buffer's pages, in order, for mmap_action_map_kernel_pages(). */
+ static struct page *PAGES[SZ / PAGE_SIZE];

@depends on patch@
identifier valloc.BUF, valloc.af, vpatch.PAGES;
expression valloc.SZ;
statement S;
@@
BUF = af(SZ);
if (!BUF) S
+ for (unsigned long i = 0; i < SZ / PAGE_SIZE; i++)
+	PAGES[i] = vmalloc_to_page(BUF + i * PAGE_SIZE);

// The whole VMA first, so that the field rules below do not split it.
@depends on patch@
identifier mech.mfn, hnd.vma;
symbol desc;
expression E;
@@
mfn(...) { <...
(
- vma->vm_end - vma->vm_start
+ vma_desc_size(desc)
|
- vma_pages(vma)
+ vma_desc_pages(desc)
|
- (vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE
+ vma_desc_is_cow_mapping(desc)
|
- is_cow_mapping(vma->vm_flags)
+ vma_desc_is_cow_mapping(desc)
|
- generic_file_mmap(E, vma)
+ generic_file_mmap_prepare(desc)
|
- generic_file_readonly_mmap(E, vma)
+ generic_file_readonly_mmap_prepare(desc)
)
...> }

// The map calls, in the statement shapes that carry the error handling.
@depends on patch@
identifier mech.mfn, hnd.vma;
symbol desc;
expression pfn, size, prot, addr, len, pages, n, ret;
constant C;
// A failure message cannot be printed any more: the core does the remap.
identifier log = {printk, pr_err, pr_warn, pr_info, pr_debug, dev_err, dev_warn,
		  dev_info, dev_dbg};
@@
mfn(...) { <...
(
- return remap_pfn_range(vma, vma->vm_start, pfn, vma_desc_size(desc), vma->vm_page_prot);
+ mmap_action_remap_full(desc, pfn);
+ return 0;
|
- if (remap_pfn_range(vma, vma->vm_start, pfn, vma_desc_size(desc), vma->vm_page_prot))
-	return -C;
+ mmap_action_remap_full(desc, pfn);
+ desc->action.error_override = -C;
|
- if (remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot)) {
-	log(...);
-	return -C;
- }
+ mmap_action_remap(desc, addr, pfn, size);
+ desc->action.error_override = -C;
|
- return io_remap_pfn_range(vma, vma->vm_start, pfn, vma_desc_size(desc), vma->vm_page_prot);
+ mmap_action_ioremap_full(desc, pfn);
+ return 0;
|
- if (io_remap_pfn_range(vma, vma->vm_start, pfn, vma_desc_size(desc), vma->vm_page_prot))
-	return -C;
+ mmap_action_ioremap_full(desc, pfn);
+ desc->action.error_override = -C;
|
- return remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot);
+ mmap_action_remap(desc, addr, pfn, size);
+ return 0;
|
- if (remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot))
-	return -C;
+ mmap_action_remap(desc, addr, pfn, size);
+ desc->action.error_override = -C;
|
- return io_remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot);
+ mmap_action_ioremap(desc, addr, pfn, size);
+ return 0;
|
- if (io_remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot))
-	return -C;
+ mmap_action_ioremap(desc, addr, pfn, size);
+ desc->action.error_override = -C;
|
- return remap_pfn_range(vma, addr, pfn, size, prot);
+ desc->page_prot = prot;
+ mmap_action_remap(desc, addr, pfn, size);
+ return 0;
|
- return io_remap_pfn_range(vma, addr, pfn, size, prot);
+ desc->page_prot = prot;
+ mmap_action_ioremap(desc, addr, pfn, size);
+ return 0;
|
- return vm_iomap_memory(vma, addr, len);
+ mmap_action_simple_ioremap(desc, addr, len);
+ return 0;
|
- if (vm_iomap_memory(vma, addr, len))
-	return -C;
+ mmap_action_simple_ioremap(desc, addr, len);
+ desc->action.error_override = -C;
|
- ret = remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot);
+ mmap_action_remap(desc, addr, pfn, size);
+ ret = 0;
|
- ret = io_remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot);
+ mmap_action_ioremap(desc, addr, pfn, size);
+ ret = 0;
|
- ret = vm_iomap_memory(vma, addr, len);
+ mmap_action_simple_ioremap(desc, addr, len);
+ ret = 0;
|
- return vm_map_pages_zero(vma, pages, n);
+ if (vma_desc_pages(desc) > n)
+	return -ENXIO;
+ mmap_action_map_kernel_pages_full(desc, pages);
+ return 0;
|
- return vm_map_pages(vma, pages, n);
+ if (desc->pgoff >= n || vma_desc_pages(desc) > n - desc->pgoff)
+	return -ENXIO;
+ mmap_action_map_kernel_pages_full(desc, pages + desc->pgoff);
+ return 0;
|
- return vm_insert_page(vma, vma->vm_start, pages);
+ mmap_action_map_kernel_pages(desc, desc->start, &pages, 1);
+ return 0;
|
- remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot);
+ mmap_action_remap(desc, addr, pfn, size);
|
- io_remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot);
+ mmap_action_ioremap(desc, addr, pfn, size);
|
- vm_iomap_memory(vma, addr, len);
+ mmap_action_simple_ioremap(desc, addr, len);
)
...> }

@depends on patch@
identifier mech.mfn, hnd.vma;
identifier F1 =~ "^VM_", F2 =~ "^VM_";
fresh identifier B1 = script:python(F1) { "VMA_" + F1[3:] + "_BIT" };
fresh identifier B2 = script:python(F2) { "VMA_" + F2[3:] + "_BIT" };
symbol desc;
@@
mfn(...) { <...
- vm_flags_mod(vma, F1, F2);
+ vma_desc_set_flags(desc, B1);
+ vma_desc_clear_flags(desc, B2);
...> }

// Flags, by bit number (the parentheses of a negated test go below).
@depends on patch@
identifier mech.mfn, hnd.vma;
symbol desc;
identifier F1 =~ "^VM_", F2 =~ "^VM_", F3 =~ "^VM_", F4 =~ "^VM_";
fresh identifier B1 = script:python(F1) { "VMA_" + F1[3:] + "_BIT" };
fresh identifier B2 = script:python(F2) { "VMA_" + F2[3:] + "_BIT" };
fresh identifier B3 = script:python(F3) { "VMA_" + F3[3:] + "_BIT" };
fresh identifier B4 = script:python(F4) { "VMA_" + F4[3:] + "_BIT" };
@@
mfn(...) { <...
(
- vm_flags_set(vma, F1 | F2 | F3 | F4)
+ vma_desc_set_flags(desc, B1, B2, B3, B4)
|
- vm_flags_set(vma, F1 | F2 | F3)
+ vma_desc_set_flags(desc, B1, B2, B3)
|
- vm_flags_set(vma, F1 | F2)
+ vma_desc_set_flags(desc, B1, B2)
|
- vm_flags_set(vma, F1)
+ vma_desc_set_flags(desc, B1)
|
- vm_flags_clear(vma, F1 | F2 | F3 | F4)
+ vma_desc_clear_flags(desc, B1, B2, B3, B4)
|
- vm_flags_clear(vma, F1 | F2 | F3)
+ vma_desc_clear_flags(desc, B1, B2, B3)
|
- vm_flags_clear(vma, F1 | F2)
+ vma_desc_clear_flags(desc, B1, B2)
|
- vm_flags_clear(vma, F1)
+ vma_desc_clear_flags(desc, B1)
|
- vma->vm_flags & (F1 | F2 | F3)
+ vma_desc_test_any(desc, B1, B2, B3)
|
- vma->vm_flags & (F1 | F2)
+ vma_desc_test_any(desc, B1, B2)
|
- vma->vm_flags & F1
+ vma_desc_test(desc, B1)
)
...> }

@depends on patch@
identifier mech.mfn;
expression list es;
@@
mfn(...) { <...
- !(vma_desc_test(es))
+ !vma_desc_test(es)
...> }

// The remaining fields.
@depends on patch@
identifier mech.mfn, hnd.vma;
symbol desc;
@@
mfn(...) { <...
(
- vma->vm_pgoff
+ desc->pgoff
|
- vma->vm_start
+ desc->start
|
- vma->vm_end
+ desc->end
|
- vma->vm_page_prot
+ desc->page_prot
|
- vma->vm_ops
+ desc->vm_ops
|
- vma->vm_private_data
+ desc->private_data
|
- vma->vm_file
+ desc->vm_file
|
- vma->vm_mm
+ desc->mm
)
...> }

// The file the hook was called for is desc->file.
@depends on patch@
identifier mech.mfn, hnd.vma, fp;
symbol desc;
@@
mfn(struct file *fp, struct vm_area_struct *vma) { <...
- fp
+ desc->file
...> }

@depends on patch@
identifier mech.mfn, mech.fn2, hnd.vma, fp;
symbol desc;
type R;
@@
// The name and the parameters apart: spatch would glue the type to the
// new name when the old parameter list was split over lines.
R
- mfn
+ fn2
  (
- struct file *fp, struct vm_area_struct *vma
+ struct vm_area_desc *desc
  )
{ ... }

@depends on patch@
identifier mech.mfn, mech.fn2, hnd.vma, fp;
symbol desc;
type R;
@@
R
- mfn(struct file *fp, struct vm_area_struct *vma);
+ fn2(struct vm_area_desc *desc);

@depends on patch@
identifier tbl.s, mech.mfn, mech.fn2;
@@
struct file_operations s = { ...,
- .mmap = mfn,
+ .mmap_prepare = fn2,
...};

// The generic helpers have descriptor forms of the same name.
@depends on patch@
identifier s;
@@
struct file_operations s = { ...,
- .mmap = generic_file_mmap,
+ .mmap_prepare = generic_file_mmap_prepare,
...};

@depends on patch@
identifier s;
@@
struct file_operations s = { ...,
- .mmap = generic_file_readonly_mmap,
+ .mmap_prepare = generic_file_readonly_mmap_prepare,
...};
