#!/bin/sh
# install-conf.sh SRC DEST: meson's install script for the example
# configuration. Installs SRC as $DESTDIR/DEST, mode 0640 (it can hold the
# BGP password), unless DEST exists: `meson install` never overwrites an
# edited configuration (BIRD's `make install` does the same). A package
# build installs into an empty DESTDIR and gets the file.
set -eu
dest="${DESTDIR:-}$2"
if [ -e "$dest" ]; then
	echo "install-conf.sh: $dest exists, not overwritten"
	exit 0
fi
install -D -m 0640 "$1" "$dest"
echo "Installing $1 to $dest (mode 0640)"
