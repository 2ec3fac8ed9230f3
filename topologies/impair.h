/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topologies/impair.h: the link impairment parameters as one table (name, older spellings, unit,
 * model field, JSON key, companion), with the one parser of their values, the one setter of a
 * change over stored settings, and the merge and whole-set check of struct nslab_impair. The
 * topology loader, `nslab link set`, scenarios, the console and the JSON/describe code of core/
 * all loop over this table: a new netem option is one row here, its field in struct
 * nslab_impair (model.h) and its encoding in the qdisc request (core/impair.c).
 */
#ifndef NSLAB_TOPOLOGIES_IMPAIR_H
#define NSLAB_TOPOLOGIES_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* Policy limits (the loader, `link set` and the console share them through the table). */
#define NSLAB_IMP_MAX_DELAY_US 3600000000ULL   /* 1 hour */
#define NSLAB_IMP_MAX_RATE_BPS 100000000000ULL /* 100gbit */
#define NSLAB_IMP_MSG_MAX 256		       /* room for any message of this module */

/* The parameters, in table order: a companion comes right after its base. */
enum nslab_imp_param {
	NSLAB_IMPP_DELAY,
	NSLAB_IMPP_JITTER,
	NSLAB_IMPP_JITTER_DIST,
	NSLAB_IMPP_LOSS,
	NSLAB_IMPP_LOSS_CORR,
	NSLAB_IMPP_DUPLICATE,
	NSLAB_IMPP_REORDER,
	NSLAB_IMPP_REORDER_CORR,
	NSLAB_IMPP_CORRUPT,
	NSLAB_IMPP_RATE,
	NSLAB_IMPP_LIMIT,
	NSLAB_IMPP__COUNT
};
/* A parameter's bit in a change's `given` mask. */
#define NSLAB_IMPP_BIT(p) (1u << (p))

enum nslab_imp_unit {
	NSLAB_IU_DURATION, /* unsigned long long microseconds: "20ms", "1.5s", a bare number is ms */
	NSLAB_IU_PERCENT,  /* double 0..100: "1.5%", a bare number is percent */
	NSLAB_IU_RATE,	   /* unsigned long long bit/s: "10mbit", tc's units */
	NSLAB_IU_PACKETS,  /* unsigned, 1 or more */
	NSLAB_IU_DIST,	   /* enum nslab_jitter_dist, by name */
};

struct nslab_imp_param_info {
	const char *name;	/* canonical, in files, `link set --NAME`, scenarios and the console */
	const char *aliases[3]; /* other spellings accepted wherever name is (NULL-terminated) */
	enum nslab_imp_unit unit;
	size_t off;		/* its field in struct nslab_impair */
	unsigned field;		/* NSLAB_IMP_* saying the value is set (a companion: its base's) */
	int base;		/* a companion's base (its value travels with the base's), else -1 */
	const char *json_key;	/* in state.json, `inspect --json`, `link show --json` */
	const char *word;	/* a companion in nslab_impair_describe: "correlation", or NULL (value alone) */
};

extern const struct nslab_imp_param_info nslab_imp_params[NSLAB_IMPP__COUNT];
/* "uniform", "normal", "pareto", "paretonormal", indexed by enum nslab_jitter_dist. */
extern const char *const nslab_jitter_dist_names[NSLAB_DIST_PARETONORMAL + 1];

/* The parameter a name or an alias spells, or -1. */
int nslab_imp_param_find(const char *name);
/* "delay, jitter, ..., limit" (static): for messages listing what exists. */
const char *nslab_imp_param_list(void);
/* The field of parameter p in imp. */
void *nslab_imp_field(struct nslab_impair *imp, enum nslab_imp_param p);
const void *nslab_imp_field_const(const struct nslab_impair *imp, enum nslab_imp_param p);

/*
 * The one parser: the text s of parameter p into its field of v (nothing else changes). 0, or
 * -EINVAL / -ERANGE with a message naming the parameter and the value in msg ("bad delay \"2m\":
 * 'm' is ambiguous, ...").
 */
int nslab_imp_param_parse(enum nslab_imp_param p, const char *s, struct nslab_impair *v, char *msg,
			  size_t size);
/* The value of p in imp as people write it ("20ms", "1.5%", "10mbit", "100", "normal"). */
char *nslab_imp_param_format(enum nslab_imp_param p, const struct nslab_impair *imp, char *buf, size_t size);

/*
 * A runtime change: the parameters given (NSLAB_IMPP_BIT) and their values (v.mask is not used).
 * A companion (a correlation, the distribution) may be given without its base: the stored base
 * value is kept. Everything not given keeps its stored value.
 */
struct nslab_impair_change {
	unsigned given;
	struct nslab_impair v;
};
/*
 * Parse "NAME VALUE" into c (name or alias). 0; -ENOENT for an unknown name; -EEXIST when c
 * already has it; -EINVAL/-ERANGE for a bad value. msg says why in every case.
 */
int nslab_impair_change_add(struct nslab_impair_change *c, const char *name, const char *value, char *msg,
			    size_t size);
/*
 * The one setter: c over the stored settings cur, checked as a whole (nslab_impair_check). 0 and
 * cur updated, or -EINVAL with the reason in msg and cur unchanged.
 */
int nslab_impair_change_apply(struct nslab_impair *cur, const struct nslab_impair_change *c, char *msg,
			      size_t size);

/* Merge b's given fields over a (endpoint settings over link settings): a companion travels with its base. */
void nslab_impair_merge(struct nslab_impair *a, const struct nslab_impair *b);
/* Check an impairment set as a whole (ranges, reorder needs delay, jitter needs delay, a companion
 * needs its base). 0, or -EINVAL with the problem in msg. */
int nslab_impair_check(const struct nslab_impair *imp, char *msg, size_t size);

#endif
