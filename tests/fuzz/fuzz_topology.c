// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_topology.c: libFuzzer target feeding arbitrary bytes to the topology loader. */
#include "topologies/model.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nslab_diags diags = { 0 };
	struct nslab_topo *topo = NULL;
	int ret;

	ret = nslab_topo_load_buf("fuzz.yml", (const char *)data, size, &topo, &diags);
	/* The contract: a model exactly when there is no error. */
	if ((ret == 0) != (topo != NULL) || (ret == 0) != (diags.nerrors == 0))
		abort();
	for (size_t i = 0; i < diags.n; i++)
		free(nslab_diag_format(&diags.v[i]));
	nslab_topo_free(topo);
	nslab_diags_free(&diags);
	return 0;
}
