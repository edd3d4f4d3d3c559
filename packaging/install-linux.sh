#!/usr/bin/env bash
# Install the AI Cost Planner bundle for the current user (no root): menu entry, icon, `aicost` command.
#
#   ./install-linux.sh [--in-place] [BUNDLE_DIR]     install (or update)
#   ./install-linux.sh --uninstall                   remove everything the install put in place
#
# BUNDLE_DIR is the bundle folder (the one holding the `aicost` executable and `_internal/`);
# by default the folder this script is in when it ships inside the bundle, else dist/aicost of
# the source tree. What goes where (XDG_DATA_HOME defaults to ~/.local/share):
#   the bundle       $XDG_DATA_HOME/aicost/bundle/          (a copy; --in-place: used where it is)
#   the command      ~/.local/bin/aicost                    (a symbolic link)
#   the menu entry   $XDG_DATA_HOME/applications/aicost.desktop
#   the icon         $XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/aicost.png and scalable/apps/aicost.svg
# The list of installed files is kept in $XDG_DATA_HOME/aicost/installed.txt for --uninstall.
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

mode=install in_place=0 bundle=""
while [ $# -gt 0 ]; do
  case "$1" in
    --uninstall) mode=uninstall ;;
    --in-place) in_place=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "install-linux.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) bundle=$1 ;;
  esac
  shift
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
bin_dir=$HOME/.local/bin
app_dir=$data_home/aicost
target=$app_dir/bundle
manifest=$app_dir/installed.txt
apps=$data_home/applications
icons=$data_home/icons/hicolor

refresh_caches() {
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -f -t "$icons" 2>/dev/null || true
}

if [ "$mode" = uninstall ]; then
  if [ -f "$manifest" ]; then
    while IFS= read -r f; do
      [ -n "$f" ] || continue
      if [ -L "$f" ] || [ -f "$f" ]; then rm -f -- "$f"; fi
    done < "$manifest"
  fi
  # without a manifest: the command link, only when it is ours
  if [ -L "$bin_dir/aicost" ] && [ "$(readlink "$bin_dir/aicost")" = "$target/aicost" ]; then
    rm -f -- "$bin_dir/aicost"
  fi
  copy=""
  if [ -d "$target" ]; then copy=" and the bundle copy in $target"; rm -rf -- "$target"; fi
  rm -f -- "$manifest" "$apps/aicost.desktop"
  rmdir -- "$app_dir" 2>/dev/null || true
  refresh_caches
  echo "AI Cost Planner uninstalled: menu entry, icons, command$copy."
  exit 0
fi

# -- find the bundle and the desktop file and icons -------------------------------------------
if [ -z "$bundle" ]; then
  if [ -x "$here/aicost" ] && [ -d "$here/_internal" ]; then bundle=$here; else bundle=$here/../dist/aicost; fi
fi
if [ ! -x "$bundle/aicost" ] || [ ! -d "$bundle/_internal" ]; then
  echo "install-linux.sh: no bundle at $bundle (build it with 'make bundle', or give its folder)" >&2
  exit 1
fi
bundle=$(cd "$bundle" && pwd)
if [ -f "$bundle/packaging/aicost.desktop" ]; then pkg=$bundle/packaging; else pkg=$here; fi
for need in "$pkg/aicost.desktop" "$pkg/icons/aicost.svg"; do
  [ -f "$need" ] || { echo "install-linux.sh: $need is missing" >&2; exit 1; }
done

# -- the bundle ---------------------------------------------------------------------------------
mkdir -p "$app_dir" "$bin_dir" "$apps"
if [ "$in_place" = 1 ] || [ "$bundle" = "$target" ]; then
  installed=$bundle
  [ "$bundle" = "$target" ] || rm -rf -- "$target"   # an earlier copy would be stale
else
  rm -rf -- "$target.new"
  cp -a -- "$bundle" "$target.new"
  rm -rf -- "$target"
  mv -- "$target.new" "$target"
  installed=$target
fi
exe=$installed/aicost

: > "$manifest.new"
record() { printf '%s\n' "$1" >> "$manifest.new"; }

# -- the command --------------------------------------------------------------------------------
ln -sfn -- "$exe" "$bin_dir/aicost"
record "$bin_dir/aicost"

# -- the icons ----------------------------------------------------------------------------------
for png in "$pkg"/icons/aicost-*.png; do
  [ -f "$png" ] || continue
  n=$(basename "$png" .png); n=${n#aicost-}
  mkdir -p "$icons/${n}x${n}/apps"
  install -m 0644 "$png" "$icons/${n}x${n}/apps/aicost.png"
  record "$icons/${n}x${n}/apps/aicost.png"
done
mkdir -p "$icons/scalable/apps"
install -m 0644 "$pkg/icons/aicost.svg" "$icons/scalable/apps/aicost.svg"
record "$icons/scalable/apps/aicost.svg"

# -- the menu entry (Exec is quoted as the Desktop Entry spec asks; TryExec is a plain path) ------
quoted=$(printf '%s' "$exe" | sed -e 's/[\\"`$]/\\\\&/g')
sed -e "s|^Exec=.*|Exec=\"$quoted\" %f|" -e "s|^TryExec=.*|TryExec=$exe|" \
  "$pkg/aicost.desktop" > "$apps/aicost.desktop.new"
chmod 0644 "$apps/aicost.desktop.new"
mv -f -- "$apps/aicost.desktop.new" "$apps/aicost.desktop"
record "$apps/aicost.desktop"
mv -f -- "$manifest.new" "$manifest"
refresh_caches

echo "AI Cost Planner installed:"
echo "  bundle      $installed"
echo "  command     $bin_dir/aicost"
echo "  menu entry  $apps/aicost.desktop"
echo "  icon        $icons/*/apps/aicost.{png,svg}"
case ":$PATH:" in *":$bin_dir:"*) ;; *) echo "  note: $bin_dir is not on your PATH; add it to run 'aicost' from a terminal" ;; esac
echo "Remove it with: $installed/install-linux.sh --uninstall"
