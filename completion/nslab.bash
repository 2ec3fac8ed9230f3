# SPDX-License-Identifier: GPL-2.0-or-later
# completion/nslab.bash: bash completion for nslab (installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/nslab). Verbs and options come from nslab's own
# --help, lab names from `nslab list --json`, node and interface names from `nslab inspect LAB --json`
# (with jq), so they follow the binary and the running labs.

# _nslab_labs: names of the deployed labs
_nslab_labs() {
	"$1" list --json 2>/dev/null | grep -o '"name": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
}

# _nslab_nodes NSLAB LAB: the lab's node names
_nslab_nodes() {
	command -v jq >/dev/null || return 0
	"$1" inspect "$2" --json 2>/dev/null | jq -r '.nodes[].name' 2>/dev/null
}

# _nslab_ifaces NSLAB LAB: NODE:IF for every interface of the lab
_nslab_ifaces() {
	command -v jq >/dev/null || return 0
	"$1" inspect "$2" --json 2>/dev/null | jq -r '.nodes[] | .name as $n | .interfaces[] | "\($n):\(.name)"' 2>/dev/null
}

_nslab() {
	local cur prev nslab verb words=() i arg=0 lab=""
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	nslab=${COMP_WORDS[0]}
	COMPREPLY=()
	if [ "$COMP_CWORD" = 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$("$nslab" --help 2>/dev/null |
			awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }') --help --version" -- "$cur")
		return
	fi
	verb=${COMP_WORDS[1]}
	# after `--` (exec): the command's own words, left to bash
	for ((i = 2; i < COMP_CWORD; i++)); do
		[ "${COMP_WORDS[i]}" = "--" ] && { COMPREPLY=(); return; }
	done
	# the position of the current word among the non-option arguments, and the lab
	for ((i = 2; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*)
			case ${COMP_WORDS[i - 1]} in
			--name | -n | --topo | -t | --shell | --count | -c | --pairs | -p | --time | --bitrate | -b | --port | --parallel | --label | --junit | --format | --cpu | --cpu-set | --memory | --cpu-weight | --pids | --net-cls | --addr | --mtu) continue ;;
			esac
			arg=$((arg + 1))
			[ $arg = 1 ] && lab=${COMP_WORDS[i]}
			;;
		esac
	done
	arg=$((arg + 1))
	case $prev in
	--topo | -t | --junit) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	--shell) mapfile -t COMPREPLY < <(compgen -c -- "$cur"); return ;;
	--format) mapfile -t COMPREPLY < <(compgen -W "tap junit" -- "$cur"); return ;;
	--name | -n | --count | -c | --pairs | -p | --time | --bitrate | -b | --port | --parallel | --label | --cpu | \
		--cpu-set | --memory | --cpu-weight | --pids | --net-cls | --mtu) return ;;
	--addr) # link LAB add A:IF B:IF --addr END=ADDRESS: the new link's ends
		[ "$verb" = link ] && [ "${COMP_WORDS[3]}" = add ] &&
			mapfile -t COMPREPLY < <(compgen -W "${COMP_WORDS[4]}= ${COMP_WORDS[5]}=" -- "$cur") &&
			compopt -o nospace 2>/dev/null
		return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$("$nslab" "$verb" --help 2>/dev/null | grep -oE -- '--?[a-z][a-z-]*' | sort -u) --help" -- "$cur")
		return
	fi
	case $verb in
	deploy | validate | plan)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	help)
		[ $arg = 1 ] && mapfile -t COMPREPLY < <(compgen -W "$("$nslab" --help 2>/dev/null |
			awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')" -- "$cur") ;;
	generate)
		[ $arg = 1 ] && mapfile -t COMPREPLY < <(compgen -W "chain ring star tree clos fat-tree" -- "$cur") ;;
	redeploy)
		[ $arg = 1 ] && mapfile -t COMPREPLY < <(compgen -W "$(_nslab_labs "$nslab")" -- "$cur"; compgen -f -- "$cur") ;;
	destroy | inspect | console | pingall | cleanup)
		[ $arg = 1 ] || [ "$verb" = destroy ] || [ "$verb" = cleanup ] || return
		mapfile -t COMPREPLY < <(compgen -W "$(_nslab_labs "$nslab")" -- "$cur") ;;
	scenario)
		if [ $arg = 1 ]; then mapfile -t COMPREPLY < <(compgen -W "$(_nslab_labs "$nslab")" -- "$cur")
		else mapfile -t COMPREPLY < <(compgen -f -- "$cur"); fi ;;
	exec | attach | limit | iperf)
		if [ $arg = 1 ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_nslab_labs "$nslab")" -- "$cur")
		elif [ $arg = 2 ] || { [ "$verb" = iperf ] && [ $arg = 3 ]; }; then
			mapfile -t COMPREPLY < <(compgen -W "$(_nslab_nodes "$nslab" "$lab")" -- "$cur")
		fi ;;
	link)
		if [ $arg = 1 ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_nslab_labs "$nslab")" -- "$cur")
		elif [ $arg = 2 ]; then
			mapfile -t COMPREPLY < <(compgen -W "add remove $(_nslab_ifaces "$nslab" "$lab")" -- "$cur")
		elif [ "${COMP_WORDS[3]}" = add ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_nslab_nodes "$nslab" "$lab" | sed 's/$/:/')" -- "$cur")
			compopt -o nospace 2>/dev/null
		elif [ "${COMP_WORDS[3]}" = remove ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_nslab_ifaces "$nslab" "$lab")" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "down up flap set reset show $(_nslab_ifaces "$nslab" "$lab")" -- "$cur")
		fi ;;
	esac
}
complete -o default -F _nslab nslab
