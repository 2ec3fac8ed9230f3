// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/yaml.c: the YAML reader: parsing the document with libyaml, walking maps and lists under a node budget, dispatching keys through keyword tables, and the values several tables share. */
#include "topologies/loader.h"
#include "topologies/paths.h"

/* ---- diagnostics and YAML access ---- */

struct nslab_pos topo_pos(const struct topo_ld *ld, const yaml_node_t *n)
{
	return (struct nslab_pos){
		.file = ld->file,
		.line = (unsigned)n->start_mark.line + 1,
		.col = (unsigned)n->start_mark.column + 1,
	};
}

/* A node of the document, counted against the budget; NULL once it is spent. */
yaml_node_t *topo_node(struct topo_ld *ld, int idx)
{
	if (ld->budget == 0) {
		if (!ld->over_budget) {
			ld->over_budget = true;
			topo_err_at(ld, &ld->root_pos,
				    "the file expands to too many YAML nodes (through aliases?); giving up");
		}
		return NULL;
	}
	ld->budget--;
	return yaml_document_get_node(ld->doc, idx);
}

bool topo_is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE)
		return false;
	if (n->tag && !strcmp((const char *)n->tag, YAML_NULL_TAG))
		return true;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return n->data.scalar.length == 0 || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

const char *topo_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a map";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		return topo_is_null(n) ? "nothing" : "a string";
	case YAML_NO_NODE:
		break;
	}
	return "nothing";
}

/* The text of a non-null scalar, or NULL after an error saying what was expected. */
const char *topo_str(struct topo_ld *ld, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE || topo_is_null(n)) {
		topo_err(ld, n, "%s must be a string, got %s", what, topo_type_name(n));
		return NULL;
	}
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length)) {
		topo_err(ld, n, "%s contains a NUL byte", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

/* An unsigned decimal integer in [min, max]. */
bool topo_uint(struct topo_ld *ld, const yaml_node_t *n, const char *what, unsigned long min,
	       unsigned long max, unsigned *out)
{
	const char *s = topo_str(ld, n, what);
	unsigned long v = 0;
	size_t i;

	if (!s)
		return false;
	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 12; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (i == 0 || s[i] || v < min || v > max) {
		topo_err(ld, n, "%s must be an integer from %lu to %lu, got \"%s\"", what, min, max, s);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/*
 * Call fn for every pair of map n whose key is a string seen for the first
 * time (libyaml keeps duplicate keys: reject them here). A null value counts
 * as an empty map. what names the map, dupwhat its keys ("key", "node").
 */
struct topo_keyref {
	const unsigned char *s;
	size_t len, idx;
};

static int topo_keyref_cmp(const void *a, const void *b)
{
	const struct topo_keyref *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * For each pair of map n, the index of the first pair with the same string key (itself when it
 * is the first). One sort, so that a map of 100,000 nodes is checked in n log n, not n^2.
 */
static size_t *topo_map_firsts(struct topo_ld *ld, const yaml_node_t *n)
{
	size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start), nv = 0;
	size_t *first = xcalloc(np ? np : 1, sizeof(*first));
	struct topo_keyref *v = xcalloc(np ? np : 1, sizeof(*v));

	for (size_t i = 0; i < np; i++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, n->data.mapping.pairs.start[i].key);

		first[i] = i;
		if (k && k->type == YAML_SCALAR_NODE)
			v[nv++] = (struct topo_keyref){ k->data.scalar.value, k->data.scalar.length, i };
	}
	qsort(v, nv, sizeof(*v), topo_keyref_cmp);
	for (size_t i = 1; i < nv; i++)
		if (v[i].len == v[i - 1].len && !memcmp(v[i].s, v[i - 1].s, v[i].len))
			first[v[i].idx] = first[v[i - 1].idx];
	free(v);
	return first;
}

void topo_map_each(struct topo_ld *ld, yaml_node_t *n, const char *what, const char *dupwhat,
		   topo_pair_fn *fn, void *obj)
{
	_cleanup_free_ size_t *first = NULL;

	if (topo_is_null(n))
		return;
	if (n->type != YAML_MAPPING_NODE) {
		topo_err(ld, n, "%s must be a map, got %s", what, topo_type_name(n));
		return;
	}
	first = topo_map_firsts(ld, n);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = topo_node(ld, p->key), *v = topo_node(ld, p->value);
		size_t f = first[p - n->data.mapping.pairs.start];
		const char *kname;

		if (!k || !v)
			return;
		if (k->type != YAML_SCALAR_NODE) {
			topo_err(ld, k, "keys of %s must be strings, got %s", what, topo_type_name(k));
			continue;
		}
		kname = topo_str(ld, k, "a key");
		if (!kname)
			continue;
		if (f != (size_t)(p - n->data.mapping.pairs.start)) {
			yaml_node_t *qk = yaml_document_get_node(ld->doc, n->data.mapping.pairs.start[f].key);

			topo_err(ld, k, "duplicate %s \"%s\" in %s (first at line %u)", dupwhat, kname, what,
				 (unsigned)qk->start_mark.line + 1);
			continue;
		}
		fn(ld, obj, k, kname, v);
	}
}

void topo_list_each(struct topo_ld *ld, yaml_node_t *n, const char *what, topo_item_fn *fn, void *obj)
{
	if (topo_is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		topo_err(ld, n, "%s must be a list, got %s", what, topo_type_name(n));
		return;
	}
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *item = topo_node(ld, *i);

		if (!item)
			return;
		fn(ld, obj, item);
	}
}

/* ---- keyword tables ---- */

static void topo_keyword_pair(struct topo_ld *ld, void *arg, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	const struct topo_table *t = arg;

	for (size_t i = 0; i < t->n; i++) {
		if (t->kw[i].name ? strcmp(t->kw[i].name, kname) != 0 : nslab_imp_param_find(kname) < 0)
			continue;
		if (t->kw[i].levels && !(t->kw[i].levels & ld->level)) {
			topo_err(ld, key, "key \"%s\" is not allowed in %s%s", kname, ld->where,
				 t->kw[i].levels == TOPO_LV_NODE ? " (only on a node)" : "");
			return;
		}
		t->kw[i].set(ld, (char *)t->obj + t->kw[i].off, key, val);
		return;
	}
	topo_err(ld, key, "unknown key \"%s\" in %s", kname, ld->where);
}

void topo_parse_map(struct topo_ld *ld, yaml_node_t *n, const struct topo_keyword *kw, size_t nkw, void *obj)
{
	struct topo_table t = { kw, nkw, obj };

	topo_map_each(ld, n, ld->where, "key", topo_keyword_pair, &t);
}

/* Name the block being read in ld->where, keeping the outer name in saved (which fmt may use). */
void topo_where_push(struct topo_ld *ld, char *saved, const char *fmt, ...)
{
	va_list ap;

	memcpy(saved, ld->where, sizeof(ld->where));
	va_start(ap, fmt);
	vsnprintf(ld->where, sizeof(ld->where), fmt, ap);
	va_end(ap);
}

/* ---- values shared by several blocks ---- */

/*
 * containerlab's kinds that run a vendor's image (a network OS nslab cannot run: its nodes run
 * the host's programs), with what they are, for one clear error per kind. Data, not code.
 */
static const struct {
	const char *kind, *what;
} topo_vendor_kinds[] = {
	{ "nokia_srlinux", "Nokia SR Linux" },
	{ "srl", "Nokia SR Linux" },
	{ "nokia_sros", "Nokia SR OS" },
	{ "vr-sros", "Nokia SR OS" },
	{ "nokia_srsim", "Nokia SR-SIM" },
	{ "arista_ceos", "Arista cEOS" },
	{ "ceos", "Arista cEOS" },
	{ "arista_veos", "Arista vEOS" },
	{ "vr-veos", "Arista vEOS" },
	{ "juniper_crpd", "Juniper cRPD" },
	{ "crpd", "Juniper cRPD" },
	{ "juniper_vmx", "Juniper vMX" },
	{ "vr-vmx", "Juniper vMX" },
	{ "juniper_vqfx", "Juniper vQFX" },
	{ "juniper_vsrx", "Juniper vSRX" },
	{ "juniper_vjunosrouter", "Juniper vJunos-router" },
	{ "juniper_vjunosswitch", "Juniper vJunos-switch" },
	{ "juniper_vjunosevolved", "Juniper vJunosEvolved" },
	{ "juniper_cjunosevolved", "Juniper cJunosEvolved" },
	{ "cisco_xrd", "Cisco XRd" },
	{ "xrd", "Cisco XRd" },
	{ "cisco_xrv", "Cisco XRv" },
	{ "cisco_xrv9k", "Cisco XRv9k" },
	{ "cisco_csr1000v", "Cisco CSR1000v" },
	{ "cisco_c8000", "Cisco 8000" },
	{ "cisco_c8000v", "Cisco Catalyst 8000v" },
	{ "cisco_cat9kv", "Cisco Catalyst 9000v" },
	{ "cisco_n9kv", "Cisco Nexus 9000v" },
	{ "cisco_iol", "Cisco IOL" },
	{ "cisco_ftdv", "Cisco FTDv" },
	{ "sonic-vs", "SONiC" },
	{ "sonic-vm", "SONiC" },
	{ "dell_sonic", "Dell SONiC" },
	{ "dell_ftosv", "Dell OS10" },
	{ "cumulus_cvx", "NVIDIA Cumulus VX" },
	{ "cvx", "NVIDIA Cumulus VX" },
	{ "vyosnetworks_vyos", "VyOS" },
	{ "mikrotik_ros", "MikroTik RouterOS" },
	{ "vr-ros", "MikroTik RouterOS" },
	{ "fortinet_fortigate", "Fortinet FortiGate" },
	{ "paloalto_panos", "Palo Alto PAN-OS" },
	{ "ipinfusion_ocnos", "IP Infusion OcNOS" },
	{ "checkpoint_cloudguard", "Check Point CloudGuard" },
	{ "keysight_ixia-c-one", "Keysight Ixia-c" },
	{ "ixia-c-one", "Keysight Ixia-c" },
	{ "aruba_aoscx", "Aruba AOS-CX" },
	{ "huawei_vrp", "Huawei VRP" },
	{ "6wind_vsr", "6WIND VSR" },
	{ "fdio_vpp", "fd.io VPP" },
	{ "rare", "RARE/freeRtr" },
	{ "openbsd", "an OpenBSD VM" },
	{ "freebsd", "a FreeBSD VM" },
	{ "generic_vm", "a VM image" },
	{ "ostinato", "Ostinato" },
	{ "k8s-kind", "a Kubernetes kind cluster" },
	{ "ext-container", "a container made outside the lab" },
	{ "host", "the host itself" },
};

int topo_kind_lookup(const char *s)
{
	for (int k = 0; k < NSLAB_KIND__COUNT; k++)
		if (!strcmp(s, nslab_kind_name((enum nslab_kind)k)))
			return k;
	if (!strcmp(s, "ovs-bridge")) /* a Linux bridge, with a warning (topo_kind_note) */
		return NSLAB_KIND_BRIDGE;
	return -1;
}

void topo_kind_note(struct topo_ld *ld, const yaml_node_t *n, const char *s)
{
	if (!strcmp(s, "ovs-bridge"))
		topo_warn(ld, n, "kind ovs-bridge becomes a Linux bridge (nslab makes no Open vSwitch): OpenFlow and "
				 "OVS settings do not apply");
}

const char *topo_vendor_kind(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(topo_vendor_kinds); i++)
		if (!strcmp(s, topo_vendor_kinds[i].kind))
			return topo_vendor_kinds[i].what;
	return NULL;
}

struct topo_addrs_ctx {
	struct topo_addr **v;
	size_t *n;
	int family;
	const char *key; /* "ipv4" or "ipv6" */
};

static void topo_addr_item(struct topo_ld *ld, void *arg, yaml_node_t *item)
{
	struct topo_addrs_ctx *c = arg;
	struct nslab_prefix p;
	struct topo_addr *a;
	const char *s = topo_str(ld, item, c->key);

	if (!s)
		return;
	if (nslab_prefix_parse(s, &p) < 0) {
		topo_err(ld, item, "bad %s address \"%s\": expected a CIDR like %s", c->key, s,
			 c->family == AF_INET ? "10.0.0.1/24" : "2001:db8::1/64");
		return;
	}
	if (p.family != c->family) {
		topo_err(ld, item, "%s expects an %s address, got \"%s\"", c->key,
			 c->family == AF_INET ? "IPv4" : "IPv6", s);
		return;
	}
	a = VEC_PUSH(*c->v, *c->n);
	a->p = p;
	a->pos = topo_pos(ld, item);
}

/* ipv4:/ipv6: one CIDR or a list of them. */
void topo_addrs(struct topo_ld *ld, yaml_node_t *val, int family, struct topo_addr **v, size_t *n)
{
	struct topo_addrs_ctx c = { v, n, family, family == AF_INET ? "ipv4" : "ipv6" };

	if (val->type == YAML_SEQUENCE_NODE)
		topo_list_each(ld, val, c.key, topo_addr_item, &c);
	else if (!topo_is_null(val))
		topo_addr_item(ld, &c, val);
}

bool topo_mac(struct topo_ld *ld, const yaml_node_t *val, unsigned char mac[6])
{
	const char *s = topo_str(ld, val, "mac");

	if (!s)
		return false;
	if (nslab_mac_parse(s, mac) < 0) {
		topo_err(ld, val, "bad MAC address \"%s\": expected aa:bb:cc:dd:ee:ff, unicast and not all zero", s);
		return false;
	}
	return true;
}

bool topo_mtu(struct topo_ld *ld, const yaml_node_t *val, unsigned *mtu)
{
	return topo_uint(ld, val, "mtu", 68, 65535, mtu);
}

void topo_ignore(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)ld, (void)obj, (void)key, (void)val;
}

static void topo_yaml_error(struct topo_ld *ld, const yaml_parser_t *p)
{
	struct nslab_pos pos = { .file = ld->file };
	const char *problem = p->problem ? p->problem : "unknown problem";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		topo_err_at(ld, &pos, "YAML parser ran out of memory");
		return;
	case YAML_READER_ERROR:
		if (p->problem_value != -1)
			topo_err_at(ld, &pos, "YAML syntax error at byte %zu: %s (#%X)", p->problem_offset, problem,
				    (unsigned)p->problem_value);
		else
			topo_err_at(ld, &pos, "YAML syntax error at byte %zu: %s", p->problem_offset, problem);
		return;
	case YAML_NO_ERROR:
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
	case YAML_COMPOSER_ERROR:
	case YAML_WRITER_ERROR:
	case YAML_EMITTER_ERROR:
		break;
	}
	pos.line = (unsigned)p->problem_mark.line + 1;
	pos.col = (unsigned)p->problem_mark.column + 1;
	if (p->context)
		topo_err_at(ld, &pos, "YAML syntax error: %s %s", p->context, problem);
	else
		topo_err_at(ld, &pos, "YAML syntax error: %s", problem);
}

/*
 * Flow collections ([...], {...}) nested deeper than this are refused before libyaml reads the
 * file: libyaml's time grows with the square of the depth (a 2 MB [[[...]]] ran for minutes),
 * and a topology needs a few levels.
 */
#define TOPO_MAX_FLOW_DEPTH 64

/* Could a quote at this point open a quoted scalar? last: the previous non-blank byte of the line. */
static bool topo_quote_opens(char last)
{
	return !last || strchr("[{,:-?", last);
}

/*
 * A byte scan of buf for flow nesting, outside quoted scalars and comments; false (reported at
 * the bracket) when it goes deeper than TOPO_MAX_FLOW_DEPTH. Cheap and approximate: a plain
 * scalar's own brackets count too, which only matters past the limit.
 */
static bool topo_flow_depth_ok(struct topo_ld *ld, const char *buf, size_t len)
{
	unsigned depth = 0, line = 1, col = 0;
	char quote = 0, last = 0;
	bool comment = false;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		col++;
		if (c == '\n') {
			line++, col = 0, last = 0, comment = false;
			continue;
		}
		if (comment)
			continue;
		if (quote) {
			if (quote == '"' && c == '\\' && i + 1 < len && buf[i + 1] != '\n')
				i++, col++;
			else if (c == quote)
				quote = 0, last = c;
			continue;
		}
		if (c == '#' && (i == 0 || buf[i - 1] == ' ' || buf[i - 1] == '\t' || buf[i - 1] == '\n'))
			comment = true;
		else if ((c == '"' || c == '\'') && topo_quote_opens(last))
			quote = c;
		else if ((c == '[' || c == '{') && ++depth > TOPO_MAX_FLOW_DEPTH) {
			struct nslab_pos pos = { ld->file, line, col };

			topo_err_at(ld, &pos, "lists and maps nested more than %d levels deep: a topology is not that deep; "
					      "giving up", TOPO_MAX_FLOW_DEPTH);
			return false;
		} else if ((c == ']' || c == '}') && depth)
			depth--;
		if (c != ' ' && c != '\t')
			last = c;
	}
	return true;
}

/* Read the document into ld; false on a YAML syntax error (reported). */
/*
 * Environment variables in every scalar, as containerlab expands the whole file before reading it
 * (topologies/paths.h, nslab_vars_expand: what is unset stays as written). Per scalar rather than
 * over the text, so that every position still points into the file as written.
 */
static void topo_expand_vars(yaml_document_t *doc)
{
	for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
		char *x;

		if (n->type != YAML_SCALAR_NODE || !memchr(n->data.scalar.value, '$', n->data.scalar.length) ||
		    memchr(n->data.scalar.value, '\0', n->data.scalar.length))
			continue;
		x = nslab_vars_expand((const char *)n->data.scalar.value, nslab_path_env_process());
		free(n->data.scalar.value);
		n->data.scalar.value = (yaml_char_t *)x;
		n->data.scalar.length = strlen(x);
	}
}

bool topo_read_yaml(struct topo_ld *ld, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	bool ok = true;

	if (!topo_flow_depth_ok(ld, buf, len))
		return false;
	if (!yaml_parser_initialize(&parser)) {
		topo_err_at(ld, &ld->root_pos, "YAML parser ran out of memory");
		return false;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		topo_yaml_error(ld, &parser);
		yaml_parser_delete(&parser);
		return false;
	}
	ld->doc = &doc;
	topo_expand_vars(&doc);
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		topo_err_at(ld, &ld->root_pos, "the file is empty: a topology needs name and topology");
		ok = false;
	} else if (root->type != YAML_MAPPING_NODE) {
		topo_err(ld, root, "the file must be a map with name and topology, got %s", topo_type_name(root));
		ok = false;
	} else {
		ld->root_pos = topo_pos(ld, root);
		snprintf(ld->where, sizeof(ld->where), "the top level");
		topo_parse_top(ld, root);
		if (!ld->has_name_key)
			topo_err(ld, root, "missing name (the lab's name)");
		if (!ld->has_topology_key)
			topo_err(ld, root, "missing topology");
	}
	yaml_document_delete(&doc);
	ld->doc = NULL;
	if (ok) {
		/* A second document is most likely a mistake: say so rather than drop it. */
		if (!yaml_parser_load(&parser, &doc)) {
			topo_yaml_error(ld, &parser);
		} else {
			root = yaml_document_get_root_node(&doc);
			if (root) {
				ld->doc = &doc;
				topo_err(ld, root, "a second YAML document: a topology file holds exactly one");
				ld->doc = NULL;
			}
			yaml_document_delete(&doc);
		}
	}
	yaml_parser_delete(&parser);
	return ok;
}
