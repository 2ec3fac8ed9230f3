// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/load.c: the loader's entry points: read a topology file, parse it (YAML), resolve it into the model, report every problem in one pass. */
#include "topologies/lab_conf.h"
#include "topologies/loader.h"

#include <ctype.h>
#include <fcntl.h>
#include <unistd.h>

/*
 * The first Go template action ("{{ .x }}", "{{- range $i := ...}}", a comment), or NULL; a YAML
 * flow map in a flow map ("{{a: 1}: b}") is none: after "{{" and an optional "-" and spaces comes
 * ., $, /, (, " or a word that is no map key (not followed by ':').
 */
static const char *topo_template_action(const char *buf, size_t len)
{
	const char *end = buf ? buf + len : NULL;

	for (const char *m = buf; m && (m = memmem(m, (size_t)(end - m), "{{", 2)); m += 2) {
		const char *c = m + 2;
		if (c < end && *c == '-')
			c++;
		while (c < end && (*c == ' ' || *c == '\t'))
			c++;
		if (c < end && strchr(".$/(\"", *c))
			return m;
		const char *w = c;
		while (c < end && (isalnum((unsigned char)*c) || *c == '_'))
			c++;
		if (c > w && c < end && (*c == ' ' || *c == '}'))
			return m;
	}
	return NULL;
}

/* containerlab renders a topology as a Go template first (`{{ }}`, *.gotmpl files); nslab does not. */
static bool topo_is_template(struct topo_ld *ld, const char *name, const char *buf, size_t len)
{
	const char *m = topo_template_action(buf, len);
	size_t nlen = name ? strlen(name) : 0;
	struct nslab_pos pos = { .file = ld->file, .line = 1, .col = 1 };

	if (!m && !(nlen > 7 && !strcmp(name + nlen - 7, ".gotmpl")))
		return false;
	for (const char *c = buf; m && c < m; c++) {
		pos.col++;
		if (*c == '\n') {
			pos.line++;
			pos.col = 1;
		}
	}
	topo_err_at(ld, &pos, "Go templates (%s) are not supported by nslab: render the file first (containerlab "
			      "does it with its _vars file) and give nslab the result",
		    m ? "{{ }}" : "a .gotmpl file");
	return true;
}

int nslab_topo_load_buf(const char *name, const char *buf, size_t len, struct nslab_topo **out,
			struct nslab_diags *diags)
{
	struct nslab_diags local = { 0 };
	struct nslab_diags *d = diags ? diags : &local;
	size_t start = d->n, start_errors = d->nerrors;
	struct nslab_topo *t;
	struct topo_ld ld;
	int ret = 0;

	if (out)
		*out = NULL;
	t = xcalloc(1, sizeof(*t));
	t->file = xstrdup(name ? name : "<input>");
	memset(&ld, 0, sizeof(ld));
	ld.d = d;
	ld.file = t->file;
	/* a file without aliases makes fewer YAML nodes than it has bytes: only aliases reach the budget */
	ld.budget = TOPO_BUDGET + len;
	ld.start_errors = start_errors;
	ld.root_pos = (struct nslab_pos){ .file = t->file, .line = 1, .col = 1 };
	topo_settings_init(&ld.defaults);
	for (int k = 0; k < NSLAB_KIND__COUNT; k++)
		topo_settings_init(&ld.kinds[k]);

	/* Resolve even after errors: reference errors belong to the same single pass. */
	if (topo_is_template(&ld, name, buf, len))
		; /* one line says so: reading it as YAML would only puzzle */
	else if (topo_read_yaml(&ld, buf ? buf : "", buf ? len : 0)) {
		topo_resolve(&ld, t);
		topo_addressing_finish(&ld, t);
	}
	nslab_diags_sort(d, start); /* file order, as a person reads them */
	if (ld.too_many) { /* after the errors it stands for */
		struct nslab_pos file_only = { .file = t->file };

		nslab_diag_add(d, NSLAB_DIAG_ERROR, &file_only, "too many errors: only the first %d are shown",
			       TOPO_MAX_ERRORS);
	}
	topo_ld_free(&ld);

	if (d->nerrors != start_errors || !out) {
		ret = d->nerrors != start_errors ? -EINVAL : 0;
		nslab_topo_free(t);
	} else {
		*out = t;
	}
	if (!diags)
		nslab_diags_free(&local);
	return ret;
}

/*
 * The whole file into *buf (NUL-terminated), or -EFBIG past TOPO_MAX_FILE_BYTES: a topology is
 * text (100,000 nodes and links take 6 MB), and `validate /dev/zero` must not read until memory
 * runs out.
 */
static int topo_read_file(const char *path, char **buf, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *b = NULL;
	size_t cap = 0, n = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			if (cap > TOPO_MAX_FILE_BYTES + 1)
				cap = TOPO_MAX_FILE_BYTES + 1;
			b = xrealloc(b, cap + 1);
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > TOPO_MAX_FILE_BYTES)
			return -EFBIG;
	}
	b[n] = 0;
	*buf = steal_ptr(b);
	*len = n;
	return 0;
}

int nslab_topo_load_file(const char *path, struct nslab_topo **out, struct nslab_diags *diags)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int ret;

	if (out)
		*out = NULL;
	if (nslab_labconf_is_lab(path)) /* a Kathará lab folder */
		return nslab_labconf_load(path, out, diags);
	ret = topo_read_file(path, &buf, &len);
	if (ret == -EFBIG) {
		struct nslab_pos pos = { .file = path };

		nslab_diag_add(diags, NSLAB_DIAG_ERROR, &pos,
			       "cannot read topology file %s: larger than %u MiB (a topology is a text file)", path,
			       TOPO_MAX_FILE_BYTES >> 20);
		return ret;
	}
	if (ret < 0) {
		struct nslab_pos pos = { .file = path };

		nslab_diag_add(diags, NSLAB_DIAG_ERROR, &pos, "cannot read topology file %s: %s", path,
			       strerror(-ret));
		return ret;
	}
	return nslab_topo_load_buf(path, buf, len, out, diags);
}
