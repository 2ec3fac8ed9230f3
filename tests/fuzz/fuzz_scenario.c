// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_scenario.c: libFuzzer target feeding arbitrary bytes to the scenario parser (core/scenario.h). */
#include "core/scenario.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nslab_diags diags = { 0 };
	struct nslab_scn *s = NULL;
	int ret = nslab_scn_parse_buf("fuzz.scenario", (const char *)data, size, &s, &diags);

	/* The contract: steps exactly when there is no error, and steps the runner can trust. */
	if ((ret == 0) != (s != NULL) || (ret == 0) != (diags.nerrors == 0))
		abort();
	for (size_t i = 0; s && i < s->nsteps; i++) {
		const struct nslab_scn_step *st = &s->steps[i];
		size_t checks = 0;

		if (!st->text || st->pos.line == 0)
			abort();
		switch (st->kind) {
		case NSLAB_SCN_LINK:
		case NSLAB_SCN_LINK_REMOVE:
			if (!st->a)
				abort();
			break;
		case NSLAB_SCN_LINK_ADD:
			if (!st->a || !st->b || st->add.end[0] != st->a || st->add.end[1] != st->b)
				abort();
			break;
		case NSLAB_SCN_EXEC:
		case NSLAB_SCN_EXPECT_EXEC:
			if (!st->node || !st->cmd)
				abort();
			break;
		case NSLAB_SCN_EXPECT_REACH:
		case NSLAB_SCN_EXPECT_LOSS:
			if (!st->node || !st->target)
				abort();
			if (st->kind == NSLAB_SCN_EXPECT_LOSS && (st->max_loss_pct < 0 || st->max_loss_pct > 100))
				abort();
			break;
		case NSLAB_SCN_WAIT:
		case NSLAB_SCN_EXPECT_CONVERGED:
			break;
		}
		for (size_t k = 0; k < s->nsteps; k++)
			checks += nslab_scn_is_check(&s->steps[k]);
		if (checks != s->nchecks)
			abort();
	}
	for (size_t i = 0; i < diags.n; i++)
		free(nslab_diag_format(&diags.v[i]));
	nslab_scn_free(s);
	nslab_diags_free(&diags);
	return 0;
}
