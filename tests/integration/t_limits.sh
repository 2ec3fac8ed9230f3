# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_limits.sh: per-node cgroup limits measured for real (cpu, memory, pids, net_cls).

limits_lab() {
	cat > "$TMPD/limits.yml" <<YML
name: ${LP}-limits
topology:
  defaults:
    pids: 200
  nodes:
    busy: {kind: linux, cpu: 0.25, interfaces: {eth1: {ipv4: 10.41.0.1/24}}}
    small: {kind: linux, memory: 64Mb, pids: 30}
    tagged: {kind: linux, net-cls: auto, interfaces: {eth1: {ipv4: 10.41.0.3/24}}}
    sw: {kind: bridge}
  links:
    - endpoints: ["busy:eth1", "sw:p1"]
    - endpoints: ["small:eth1", "sw:p2"]
    - endpoints: ["tagged:eth1", "sw:p3"]
YML
	"$NSLAB" deploy --quiet "$TMPD/limits.yml"
}

cg_file() { # HIERARCHY NODE FILE
	cat "/sys/fs/cgroup/$1/nslab.lab-${LP}-limits/node-$2/$3" 2>/dev/null ||
		cat "/sys/fs/cgroup/nslab.lab-${LP}-limits/node-$2/$3" 2>/dev/null
}

test_limits_cpu_memory_pids() {
	local out u0 u1 pct
	TEST_LABS="${LP}-limits"
	limits_lab || { fail "deploy"; return; }
	out=$("$NSLAB" inspect ${LP}-limits --json)
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="busy") | .usage.cgroup')" "nslab.lab-${LP}-limits/node-busy" "cgroup path"
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="small") | .usage.pids_max')" 30 "pids from the node"
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="busy") | .usage.pids_max')" 200 "pids from defaults"
	# memory: a cgroup only for the node with a limit; the others report their processes' PSS
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="small") | .usage.memory_source')" cgroup "memory of a limited node"
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="busy") | .usage.memory_source')" pss "memory of an unlimited node"
	[ "$(echo "$out" | jq '.nodes[] | select(.name=="busy") | .usage.memory_bytes')" -gt 0 ] || fail "no PSS for busy"
	if [ -d /sys/fs/cgroup/memory/nslab.lab-${LP}-limits ]; then # v1/hybrid: no memory directory at all
		[ -d /sys/fs/cgroup/memory/nslab.lab-${LP}-limits/node-small ] || fail "no memory cgroup for small"
		[ ! -e /sys/fs/cgroup/memory/nslab.lab-${LP}-limits/node-busy ] || fail "memory cgroup for unlimited busy"
	fi
	expect_match "$("$NSLAB" inspect ${LP}-limits)" "PSS" "text inspect explains the PSS figures"
	# exec sessions run inside the node's cgroups
	expect_match "$("$NSLAB" exec ${LP}-limits busy -- cat /proc/self/cgroup)" "nslab.lab-${LP}-limits/node-busy" "exec joins the cgroup"
	# cpu: 0.25 core -> a busy loop gets 20-30 % of one core over 3 s
	u0=$(echo "$out" | jq '.nodes[] | select(.name=="busy") | .usage.cpu_ns')
	"$NSLAB" exec ${LP}-limits busy -- timeout 3 sh -c 'while :; do :; done'
	u1=$("$NSLAB" inspect ${LP}-limits --json | jq '.nodes[] | select(.name=="busy") | .usage.cpu_ns')
	pct=$(( (u1 - u0) / 30000000 ))
	echo "    busy loop with cpu 0.25: ${pct}% of one core"
	[ "$pct" -ge 20 ] && [ "$pct" -le 30 ] || fail "cpu 0.25 gave ${pct}% of a core"
	# memory: allocating past 64 MB gets the process OOM-killed inside the node; the lab lives on
	"$NSLAB" exec ${LP}-limits small -- dd if=/dev/zero of=/dev/null bs=100M count=1 2>/dev/null
	expect_eq "$?" 137 "allocation past the limit is SIGKILLed"
	expect_eq "$("$NSLAB" inspect ${LP}-limits --json | jq '.nodes[] | select(.name=="small") | .usage.oom_kills')" 1 "oom kill counted"
	ok "$NSLAB" exec ${LP}-limits small -- dd if=/dev/zero of=/dev/null bs=8M count=1
	ok "$NSLAB" exec ${LP}-limits busy -- ping -c 1 -W 2 10.41.0.3
	# pids: a fork bomb stops at the limit
	out=$("$NSLAB" exec ${LP}-limits small -- sh -c 'for i in $(seq 100); do sleep 3 & done; wait' 2>&1)
	expect_match "$out" "[Cc]annot fork|Resource temporarily unavailable" "fork bomb stopped"
	[ "$("$NSLAB" inspect ${LP}-limits --json | jq '.nodes[] | select(.name=="small") | .usage.pids')" -le 30 ] || fail "pids over the limit"
	# runtime change: nslab limit
	ok "$NSLAB" limit ${LP}-limits busy --cpu 0.5 --memory 128m
	expect_eq "$(cg_file cpu busy cpu.cfs_quota_us || cg_file '' busy cpu.max | cut -d' ' -f1)" 50000 "cpu quota changed"
	out=$("$NSLAB" inspect ${LP}-limits --json)
	expect_eq "$(echo "$out" | jq -cS '.nodes[] | select(.name=="busy") | .limits')" '{"cpu":0.5,"memory_bytes":134217728,"pids":200}' "limits recorded"
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="busy") | .usage.memory_source')" cgroup "memory cgroup added at run time"
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="busy") | .usage.memory_max_bytes')" 134217728 "memory limit applied"
	expect_eq "$(cg_file memory busy cgroup.procs | wc -l || true)" "$(cg_file pids busy cgroup.procs | wc -l)" "processes moved into the new memory cgroup"
	ok "$NSLAB" limit ${LP}-limits busy --cpu none
	expect_eq "$("$NSLAB" inspect ${LP}-limits --json | jq -c '.nodes[] | select(.name=="busy") | .limits.cpu')" null "cpu limit removed"
	nok "$NSLAB" limit ${LP}-limits busy --cpu-weight 20000
	nok "$NSLAB" limit ${LP}-limits nosuch --cpu 1
}

test_limits_net_cls_tags_packets() {
	local c out
	TEST_LABS="${LP}-limits"
	command -v nft >/dev/null || { skip "nft (nftables) is not installed"; return; }
	limits_lab || { fail "deploy"; return; }
	c=$("$NSLAB" inspect ${LP}-limits --json | jq -r '.nodes[] | select(.name=="tagged") | .usage.net_cls_classid')
	if [ "$("$NSLAB" inspect ${LP}-limits --json | jq -r '.nodes[] | select(.name=="tagged") | .usage.net_cls_by')" != cgroup-v1 ]; then
		skip "the classid is not carried by the v1 net_cls controller here (cgroup v2 only host: nftables carries it)"
		return
	fi
	ip netns exec nslab-${LP}-limits.tagged nft -f - <<NFT || { fail "nft rules"; return; }
table inet t {
	chain out {
		type filter hook output priority 0;
		meta cgroup $c ip daddr 10.41.0.1 icmp type echo-request counter
	}
}
NFT
	ok "$NSLAB" exec ${LP}-limits tagged -- ping -c 3 -i 0.2 -W 2 10.41.0.1
	# the same namespace entered without the node's cgroup: not counted
	ip netns exec nslab-${LP}-limits.tagged ping -c 2 -i 0.2 -W 2 10.41.0.1 >/dev/null
	out=$(ip netns exec nslab-${LP}-limits.tagged nft list chain inet t out)
	expect_match "$out" "counter packets 3 " "the node's packets, and only them, carry classid $c: $(echo "$out" | grep counter)"
}

test_limits_refused_before_anything_exists() {
	TEST_LABS="${LP}-badlim"
	cat > "$TMPD/badlim.yml" <<YML
name: ${LP}-badlim
topology:
  nodes:
    a: {kind: linux, cpu-set: "0-4095"}
YML
	local out
	out=$("$NSLAB" deploy --quiet "$TMPD/badlim.yml" 2>&1)
	expect_eq "$?" 1 "exit code"
	expect_match "$out" "node a: .*cpu" "error names the node and the limit"
	expect_eq "$(leftovers ${LP}-badlim)" "" "nothing made"
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "nslab.lab-${LP}-badlim*")" ] || fail "cgroup left"
}

test_cleanup_sweeps_stray_cgroups_only_when_empty() {
	local h=/sys/fs/cgroup/pids pid out
	[ -d "$h" ] || h=/sys/fs/cgroup
	TEST_LABS="${LP}-straycg ${LP}-busycg"
	mkdir -p "$h/nslab.lab-${LP}-straycg/node-a" "$h/nslab.lab-${LP}-busycg/node-a" || { skip "cannot make cgroups here"; return; }
	sleep 30 &
	pid=$!
	echo $pid > "$h/nslab.lab-${LP}-busycg/node-a/cgroup.procs"
	out=$("$NSLAB" cleanup ${LP}-straycg ${LP}-busycg)
	expect_match "$out" "cleaned nslab.lab-${LP}-straycg" "stray cgroup reported"
	[ ! -d "$h/nslab.lab-${LP}-straycg" ] || fail "stray cgroup left"
	[ -d "$h/nslab.lab-${LP}-busycg/node-a" ] || fail "a cgroup with a live process was removed"
	kill $pid
	wait $pid 2>/dev/null
	ok "$NSLAB" cleanup ${LP}-straycg ${LP}-busycg
	[ ! -d "$h/nslab.lab-${LP}-busycg" ] || fail "emptied cgroup not cleaned"
}

# busy_pid LAB NODE: host pid of the node's busy loop (a "sh" running a "while :" loop, found among the
# processes of the node's cpuset cgroup), waiting up to 5 s
busy_pid() {
	local f p
	for f in "/sys/fs/cgroup/cpuset/nslab.lab-$1/node-$2/cgroup.procs" "/sys/fs/cgroup/nslab.lab-$1/node-$2/cgroup.procs"; do
		[ -e "$f" ] || continue
		for _ in $(seq 50); do
			for p in $(cat "$f"); do
				[ "$(cat /proc/$p/comm 2>/dev/null)" = sh ] && grep -q while "/proc/$p/cmdline" 2>/dev/null &&
					{ echo "$p"; return 0; }
			done
			sleep 0.1
		done
	done
	return 1
}

# cpus_run PID: the CPUs (field 39 of /proc/PID/stat) a busy process ran on, sampled 20 times over 1 s
cpus_run() {
	for _ in $(seq 20); do
		awk '{print $39}' "/proc/$1/stat" 2>/dev/null
		sleep 0.05
	done | sort -un | tr '\n' ' '
}

# cpu-set by its effect: which CPU a busy process of the node runs on, at deploy and after `nslab limit`,
# "0" is CPU 0 (it was read as "none"), and "none" lets the node use every CPU again.
test_limits_cpu_set_pins() {
	local pid ncpu=$(nproc) first last
	TEST_LABS="${LP}-cpuset"
	[ "$ncpu" -ge 2 ] || { skip "needs 2 CPUs (this machine has $ncpu)"; return; }
	last=$((ncpu - 1))
	cat > "$TMPD/cpuset.yml" <<YML
name: ${LP}-cpuset
topology:
  nodes:
    p: {kind: linux, cpu-set: "$last"}
YML
	"$NSLAB" deploy --quiet "$TMPD/cpuset.yml" || { fail "deploy"; return; }
	"$NSLAB" exec ${LP}-cpuset p -- timeout 30 sh -c 'while :; do :; done' >/dev/null 2>&1 &
	pid=$(busy_pid ${LP}-cpuset p) || { fail "busy loop not found"; return; }
	expect_eq "$(cpus_run "$pid")" "$last " "cpu-set $last from the file: the busy loop runs on CPU $last"
	ok "$NSLAB" limit ${LP}-cpuset p --cpu-set 0
	expect_eq "$(cpus_run "$pid")" "0 " "limit --cpu-set 0: runs on CPU 0 only"
	expect_eq "$(awk '/^Cpus_allowed_list/{print $2}' /proc/$pid/status)" 0 "allowed CPUs after --cpu-set 0"
	expect_eq "$("$NSLAB" inspect ${LP}-cpuset --json | jq -r '.nodes[0].limits.cpu_set')" 0 "cpu-set 0 recorded"
	ok "$NSLAB" limit ${LP}-cpuset p --cpu-set none
	expect_eq "$(awk '/^Cpus_allowed_list/{print $2}' /proc/$pid/status)" "0-$last" "--cpu-set none: every CPU allowed"
	expect_eq "$("$NSLAB" inspect ${LP}-cpuset --json | jq -r '.nodes[0].limits.cpu_set')" null "cpu-set removed from the record"
	ok "$NSLAB" limit ${LP}-cpuset p --cpu-set "$last"
	expect_eq "$(cpus_run "$pid")" "$last " "pinned again to CPU $last"
	nok "$NSLAB" limit ${LP}-cpuset p --cpu-set ""
	nok "$NSLAB" limit ${LP}-cpuset p --cpu-set 0-4095
	kill "$pid" 2>/dev/null
	wait $!
}

# netcls_htb_lab MECHANISM: deploy h1 and h2 (net-cls auto) and h3 on the bridge sw, with NSLAB_NET_CLS=MECHANISM
netcls_htb_lab() {
	cat > "$TMPD/nchtb.yml" <<YML
name: ${LP}-nchtb
topology:
  nodes:
    h1: {kind: linux, net-cls: auto, interfaces: {eth1: {ipv4: 10.47.0.1/24}}}
    h2: {kind: linux, net-cls: auto, interfaces: {eth1: {ipv4: 10.47.0.2/24}}}
    h3: {kind: linux, interfaces: {eth1: {ipv4: 10.47.0.3/24}}}
    sw: {kind: bridge}
  links:
    - endpoints: ["h1:eth1", "sw:p1"]
    - endpoints: ["h2:eth1", "sw:p2"]
    - endpoints: ["h3:eth1", "sw:p3"]
YML
	NSLAB_NET_CLS=$1 "$NSLAB" deploy --quiet "$TMPD/nchtb.yml"
}

# class_bytes NS DEV CLASSID: bytes sent through an htb class ("tc -s class show")
class_bytes() {
	tc -n "$1" -s class show dev "$2" | awk -v c="$3" '$1=="class" {on = ($3==c)} on && $1=="Sent" {print $2; exit}'
}

# pings_in_classes: 10 pings of 1000 bytes from h1 and 20 from h2 to h3, each counted in its node's htb class on
# the bridge port towards h3 (sw:p3, egress); C1 C2: the htb classes (MAJOR:MINOR, tc's spelling)
pings_in_classes() {
	local ns=nslab-${LP}-nchtb.sw c1=$1 c2=$2 b1 b2 bd f=1042
	ok "$NSLAB" exec ${LP}-nchtb h1 -- ping -c 1 -W 2 10.47.0.3 # neighbours resolved before counting
	ok "$NSLAB" exec ${LP}-nchtb h2 -- ping -c 1 -W 2 10.47.0.3
	local a1=$(class_bytes $ns p3 "$c1") a2=$(class_bytes $ns p3 "$c2")
	ok "$NSLAB" exec ${LP}-nchtb h1 -- ping -q -c 10 -i 0.02 -s 1000 10.47.0.3
	ok "$NSLAB" exec ${LP}-nchtb h2 -- ping -q -c 20 -i 0.02 -s 1000 10.47.0.3
	b1=$(( $(class_bytes $ns p3 "$c1") - a1 )) b2=$(( $(class_bytes $ns p3 "$c2") - a2 ))
	echo "    class $c1 (h1, 10 pings): $b1 bytes; class $c2 (h2, 20 pings): $b2 bytes (1042 a ping)"
	[ $b1 -ge $((10 * f)) ] && [ $b1 -lt $((13 * f)) ] || fail "h1's 10 pings: $b1 bytes in class $c1"
	[ $b2 -ge $((20 * f)) ] && [ $b2 -lt $((23 * f)) ] || fail "h2's 20 pings: $b2 bytes in class $c2"
}

# htb_classes NS DEV MAJOR MINOR...: an htb qdisc MAJOR: with a default class MAJOR:fff0 and one class per minor
htb_classes() {
	local ns=$1 dev=$2 major=$3 m
	shift 3
	tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null
	tc -n "$ns" qdisc add dev "$dev" root handle "$major": htb default fff0 || return 1
	for m in fff0 "$@"; do
		tc -n "$ns" class add dev "$dev" parent "$major": classid "$major:$m" htb rate 1gbit quantum 10000 || return 1
	done
}

# tc_id 0x4e530002 -> 4e53:2
tc_id() { printf '%x:%x' $(( $1 >> 16 )) $(( $1 & 0xffff )); }

# net-cls carried by nftables (skb->priority; the default on cgroup v2 only hosts, NSLAB_NET_CLS=nftables here):
# an htb on a bridge port shared by two nodes counts each node's traffic in the class of its classid, also after
# `nslab limit --net-cls` moved one node to another class and removed the other's.
test_limits_net_cls_nftables_htb() {
	local ns=nslab-${LP}-nchtb.sw j id1 id2 c1 c2 major
	TEST_LABS="${LP}-nchtb"
	command -v tc >/dev/null || { skip "tc (iproute2) is not installed"; return; }
	netcls_htb_lab nftables || { fail "deploy"; return; }
	j=$("$NSLAB" inspect ${LP}-nchtb --json)
	expect_eq "$(echo "$j" | jq -r '[.nodes[] | .usage.net_cls_by // empty] | join(" ")')" \
		"nftables-priority nftables-priority" "inspect: nftables carries h1's and h2's classids"
	id1=$(echo "$j" | jq -r '.nodes[] | select(.name=="h1") | .usage.net_cls_classid')
	id2=$(echo "$j" | jq -r '.nodes[] | select(.name=="h2") | .usage.net_cls_classid')
	[ "$id1" != "$id2" ] || fail "h1 and h2 share classid $id1"
	c1=$(tc_id "$id1") c2=$(tc_id "$id2") major=${c1%%:*}
	htb_classes $ns p3 "$major" "${c1#*:}" "${c2#*:}" || { fail "tc htb"; return; }
	pings_in_classes "$c1" "$c2"
	# run time: h1 to a new class (an explicit classid, tc's spelling), h2's classid removed (the default class)
	htb_classes $ns p3 "$major" "${c1#*:}" "${c2#*:}" 99 || { fail "tc htb again"; return; }
	ok "$NSLAB" limit ${LP}-nchtb h1 --net-cls "$major:99"
	ok "$NSLAB" limit ${LP}-nchtb h2 --net-cls none
	j=$("$NSLAB" inspect ${LP}-nchtb --json)
	expect_eq "$(echo "$j" | jq -r '.nodes[] | select(.name=="h1") | "\(.usage.net_cls_classid) \(.limits.net_cls)"')" \
		"$(printf '0x%04x0099 0x%04x0099' $((16#$major)) $((16#$major)))" "h1's new classid in force and recorded"
	expect_eq "$(echo "$j" | jq -r '.nodes[] | select(.name=="h2") | .usage.net_cls_classid')" null "h2's classid removed"
	pings_in_classes "$major:99" "$major:fff0"
	ok "$NSLAB" exec ${LP}-nchtb h1 -- true
}

# net-cls by the v1 net_cls controller (the default on v1/hybrid hosts): the same htb on a shared bridge port,
# classified by tc's cgroup filter (cls_cgroup reads the sending socket's classid). Skips on kernels without
# cls_cgroup (this machine's) and on cgroup v2 only hosts; test_limits_net_cls_tags_packets measures the
# v1 classid with nftables' meta cgroup instead.
test_limits_net_cls_cgroup_htb() {
	local ns=nslab-${LP}-nchtb.sw j id1 id2 c1 c2 major
	TEST_LABS="${LP}-nchtb"
	command -v tc >/dev/null || { skip "tc (iproute2) is not installed"; return; }
	netcls_htb_lab cgroup >/dev/null 2>&1 || { skip "no cgroup v1 net_cls here (a cgroup v2 only host)"; return; }
	j=$("$NSLAB" inspect ${LP}-nchtb --json)
	expect_eq "$(echo "$j" | jq -r '[.nodes[] | .usage.net_cls_by // empty] | join(" ")')" \
		"cgroup-v1 cgroup-v1" "inspect: the v1 controller carries h1's and h2's classids"
	id1=$(echo "$j" | jq -r '.nodes[] | select(.name=="h1") | .usage.net_cls_classid')
	id2=$(echo "$j" | jq -r '.nodes[] | select(.name=="h2") | .usage.net_cls_classid')
	c1=$(tc_id "$id1") c2=$(tc_id "$id2") major=${c1%%:*}
	htb_classes $ns p3 "$major" "${c1#*:}" "${c2#*:}" || { fail "tc htb"; return; }
	if ! tc -n $ns filter add dev p3 parent "$major": cgroup 2>/dev/null; then
		skip "the kernel has no cls_cgroup (CONFIG_NET_CLS_CGROUP): tc cannot read a v1 classid here"
		return
	fi
	pings_in_classes "$c1" "$c2"
}
