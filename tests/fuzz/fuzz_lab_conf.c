// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_lab_conf.c: libFuzzer target feeding arbitrary bytes to the Kathará lab.conf reader (and lab.dep after a "\n--- lab.dep\n" line). */
#include "topologies/lab_conf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char mark[] = "\n--- lab.dep\n";
	struct nslab_diags diags = { 0 };
	struct nslab_topo *topo = NULL;
	const char *conf = (const char *)data, *dep = NULL;
	size_t conf_len = size, dep_len = 0;
	const char *m = memmem(data, size, mark, sizeof(mark) - 1);
	int ret;

	if (m) {
		conf_len = (size_t)(m - conf) + 1;
		dep = m + sizeof(mark) - 1;
		dep_len = size - (size_t)(dep - conf);
	}
	/* No folder: the reader alone (a folder's files are the kernel's business, not the fuzzer's). */
	ret = nslab_labconf_load_buf("lab.conf", conf, conf_len, dep, dep_len, NULL, &topo, &diags);
	/* The contract: a model exactly when there is no error, and a model the engine can trust. */
	if ((ret == 0) != (topo != NULL) || (ret == 0) != (diags.nerrors == 0))
		abort();
	for (size_t i = 0; topo && i < topo->nnodes; i++) {
		const struct nslab_node *n = &topo->nodes[i];

		if (!nslab_name_valid(n->name))
			abort();
		for (size_t k = 0; k < n->nifaces; k++)
			if (!nslab_ifname_valid(n->ifaces[k].name) || n->ifaces[k].link < 0 ||
			    (size_t)n->ifaces[k].link >= topo->nlinks)
				abort();
	}
	for (size_t i = 0; topo && i < topo->nlinks; i++)
		for (int e = 0; e < 2; e++)
			if (topo->links[i].ep[e].node >= topo->nnodes ||
			    topo->links[i].ep[e].iface >= topo->nodes[topo->links[i].ep[e].node].nifaces)
				abort();
	for (size_t i = 0; i < diags.n; i++)
		free(nslab_diag_format(&diags.v[i]));
	nslab_topo_free(topo);
	nslab_diags_free(&diags);
	return 0;
}
