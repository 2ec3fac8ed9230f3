// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/lab_conf_int.h: what the parts of the Kathará reader (lab_conf*.c) share; not an interface. */
#ifndef NSLAB_TOPOLOGIES_LAB_CONF_INT_H
#define NSLAB_TOPOLOGIES_LAB_CONF_INT_H

#include "topologies/lab_conf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define KC_DEV_NAME_MAX 30 /* Kathará: ^[a-z0-9_]{1,30}$ */
#define KC_IFACE_MAX 4095  /* ethN: far more than any lab; keeps the contiguity check small */
#define KC_MAX_ERRORS 200
#define KC_MIN_MEMORY (4ull << 20)

/* The device options that hold one value (a second one replaces it, with a warning). */
enum kc_single {
	KC_S_IMAGE,
	KC_S_MEM,
	KC_S_CPUS,
	KC_S_IPV6,
	KC_S_SHELL,
	KC_S_BRIDGED,
	KC_S_NUM_TERMS,
	KC_S__COUNT,
	KC_S_NONE = -1, /* exec, sysctl, env, port: each line adds one */
};

struct kc_iface {
	unsigned num;
	size_t cd;
	bool has_mac;
	unsigned char mac[6];
	struct nslab_pos pos;
};

struct kc_dev {
	char *name;
	struct nslab_pos pos; /* first line naming it */
	struct kc_iface *ifs;
	size_t nifs;
	char **exec;
	size_t nexec;
	struct nslab_kv *env;
	size_t nenv;
	struct nslab_kv *sysctls;
	size_t nsysctls;
	struct nslab_kv *labels;
	size_t nlabels;
	int ipv6; /* -1 unset, 0, 1 */
	struct nslab_pos ipv6_pos; /* of ipv6's value (line 0: unset) */
	struct nslab_limits lim;
	unsigned single_line[KC_S__COUNT]; /* line of the last value of each single option, 0 = none */
	size_t dep_rank;		   /* 0 = not in lab.dep, else 1 + place in its start order */
};

struct kc_member {
	size_t dev, ifc; /* device index, index in its ifs */
};

struct kc_cd {
	char *name;
	struct nslab_pos pos; /* first line naming it */
	struct kc_member *m;
	size_t nm;
};

struct kc_ld {
	struct nslab_diags *d;
	const char *file; /* lab.conf as named in diagnostics; model positions point here */
	const char *dir;  /* the lab folder, or NULL (buffer only) */
	size_t start_errors;
	bool too_many;
	char *lab_name;
	struct kc_dev *devs;
	size_t ndevs;
	struct kc_cd *cds;
	size_t ncds;
	bool has_dep;
};

/* lab_conf.c: diagnostics, text, options */
bool kc_kv_set(struct nslab_kv **v, size_t *n, const char *key, const char *value, const struct nslab_pos *pos);
__attribute__((format(printf, 5, 6))) void kc_warn_in(struct kc_ld *ld, const char *file, unsigned line, unsigned col,
						      const char *fmt, ...);
__attribute__((format(printf, 4, 5))) void kc_err(struct kc_ld *ld, unsigned line, unsigned col, const char *fmt, ...);
__attribute__((format(printf, 5, 6))) void kc_err_in(struct kc_ld *ld, const char *file, unsigned line, unsigned col,
						     const char *fmt, ...);
char *kc_strip(const char *s);
bool kc_word_char(char c);
/* Calls fn on each line (without its '\n'); false when the text holds a NUL byte (reported). */
bool kc_each_line(struct kc_ld *ld, const char *file, const char *buf, size_t len,
		  void (*fn)(struct kc_ld *ld, const char *line, unsigned lineno));

/* lab_conf_build.c: the model */
void kc_check_ifaces(struct kc_ld *ld);
void kc_build(struct kc_ld *ld, struct nslab_topo *t);
bool kc_isdir(const char *path);
bool kc_isfile(const char *path);

/* lab_conf_dep.c: lab.dep */
void kc_read_dep(struct kc_ld *ld, const char *file, const char *buf, size_t len);

#endif
