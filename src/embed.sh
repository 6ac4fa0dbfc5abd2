#!/bin/sh
# Turn the files named on the command line into a C table of assets,
# keyed by their path below assets/. Used by the Makefile.
set -e
echo '#include <stddef.h>'
echo '#include "assets.h"'
i=0
for f in "$@"; do
	printf 'static const unsigned char a%d[] = {' "$i"
	od -An -v -tx1 "$f" | tr -s ' \n' ' ' | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'
	printf '0};\n'
	i=$((i + 1))
done
echo 'const struct ocop_asset ocop_assets[] = {'
i=0
for f in "$@"; do
	size=$(wc -c < "$f")
	printf '\t{"%s", (const char *)a%d, %d},\n' "${f#assets/}" "$i" "$size"
	i=$((i + 1))
done
printf '\t{NULL, NULL, 0}};\n'
