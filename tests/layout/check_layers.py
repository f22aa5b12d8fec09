#!/usr/bin/env python3
"""Checks that dependencies between the project's folders point one way.

The allowed edges are in layers.txt (beside this file). Three kinds of
dependency are checked against it:

  include  every #include "..." in a folder's sources and headers, resolved
           to the file it names (the including file's own folder first,
           then the unique project header of that name);
  path     every -I into the source tree that meson gives a target of the
           folder (from the build directory's meson-info/intro-targets.json,
           so declared dependencies count, used or not);
  link     every static library an executable or shared object of the
           folder links (from build.ninja).

A folder's README.md, where it says "May depend on:", must agree with the
table. A target belongs to the folder of its first source. tests/, bench/ and
examples/ may depend on everything and are not checked.

  check_layers.py --source-root DIR [--build-dir DIR] [--layers FILE]
                  [--targets-json FILE] [--ninja FILE] [--quiet]

Exit status 0 when every edge is allowed, 1 when one is not (each printed
with the file or target that makes it), 2 on bad input.
"""

import argparse
import json
import os
import re
import sys

EXEMPT = ("tests", "bench", "examples", "scripts", "docs")
SOURCE_EXT = (".c", ".h", ".def")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers(path):
    allowed = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            folder, deps = line[0], line[1:]
            if folder in allowed:
                raise ValueError(f"{path}:{n}: {folder} listed twice")
            allowed[folder] = set() if deps == ["-"] else set(deps)
    for folder, deps in allowed.items():
        for d in deps - set(allowed):
            raise ValueError(f"{path}: {folder} may depend on {d}, "
                             "which is not a folder of the table")
    return allowed


class Layout:
    def __init__(self, root, allowed):
        self.root = os.path.realpath(root)
        self.allowed = allowed
        # Longest folder first, so compiler/elf wins over compiler.
        self.folders = sorted(allowed, key=len, reverse=True)

    def rel(self, path):
        path = os.path.realpath(path)
        if path != self.root and not path.startswith(self.root + os.sep):
            return None
        return os.path.relpath(path, self.root)

    def folder_of(self, path):
        """The table's folder holding path, '' if exempt, None if outside
        the source tree (a build directory, the system)."""
        rel = self.rel(path)
        if rel is None or rel.startswith("build"):
            return None
        if rel.split(os.sep)[0] in EXEMPT:
            return ""
        for folder in self.folders:
            if rel == folder or rel.startswith(folder + os.sep):
                return folder
        return "?" + os.path.dirname(rel)

    def edge_ok(self, src, dst):
        return src == dst or dst in self.allowed.get(src, ())


def project_files(layout):
    files = []
    for folder in layout.allowed:
        top = os.path.join(layout.root, folder)
        for name in sorted(os.listdir(top)) if os.path.isdir(top) else []:
            path = os.path.join(top, name)
            if os.path.isfile(path) and name.endswith(SOURCE_EXT):
                files.append(path)
    # Files in folders the table does not know are an error too.
    for dirpath, dirnames, filenames in os.walk(layout.root):
        dirnames[:] = [d for d in dirnames
                       if not d.startswith((".", "build")) and
                       not (dirpath == layout.root and d in EXEMPT)]
        for name in filenames:
            path = os.path.join(dirpath, name)
            if name.endswith(SOURCE_EXT) and \
                    layout.folder_of(path).startswith("?"):
                files.append(path)
    return files


def check_includes(layout, files, problems, edges):
    by_name = {}
    for path in files:
        by_name.setdefault(os.path.basename(path), []).append(path)
    for path in files:
        src = layout.folder_of(path)
        rel = layout.rel(path)
        if src.startswith("?"):
            problems.append(f"{rel}: folder {src[1:]} is not in the layer "
                            "table")
            continue
        with open(path, errors="replace") as f:
            text = f.read()
        for inc in INCLUDE_RE.findall(text):
            local = os.path.join(os.path.dirname(path), inc)
            if os.path.exists(local):
                target = local
            else:
                found = by_name.get(os.path.basename(inc), [])
                if len(found) > 1:
                    problems.append(f"{rel}: \"{inc}\" is ambiguous: " +
                                    ", ".join(layout.rel(p) for p in found))
                    continue
                if not found:
                    continue  # a system or generated header
                target = found[0]
            dst = layout.folder_of(target)
            if dst is None or dst == "":
                continue
            edges.setdefault((src, dst), set()).add("include")
            if not layout.edge_ok(src, dst):
                problems.append(f"include {src} -> {dst}: {rel} includes "
                                f"\"{inc}\" ({layout.rel(target)})")


def check_readmes(layout, problems):
    """A folder's README.md that says what it may depend on must say what
    the table says."""
    for folder, allowed in layout.allowed.items():
        path = os.path.join(layout.root, folder, "README.md")
        try:
            with open(path) as f:
                text = " ".join(f.read().split())
        except OSError:
            continue
        m = re.search(r"May depend on: (.*?)\(`tests/layout/layers.txt`", text)
        if not m:
            continue
        said = re.sub(r"\([^)]*\)", "", m.group(1)).replace(",", " ").split()
        said = set() if said == ["nothing"] else set(said)
        if said != allowed:
            problems.append(f"readme {folder}/README.md says it may depend on "
                            f"{' '.join(sorted(said)) or 'nothing'}, the "
                            f"table {' '.join(sorted(allowed)) or 'nothing'}")


def target_folder(layout, target):
    for group in target.get("target_sources", []):
        for source in group.get("sources", []):
            folder = layout.folder_of(source)
            if folder is not None:
                return folder
    return None


def check_targets(layout, targets, ninja_text, problems, edges):
    lib_folder = {}
    for t in targets:
        if t["type"] == "static library":
            folder = target_folder(layout, t)
            for filename in t["filename"]:
                lib_folder[os.path.realpath(filename)] = (folder, t["name"])
    build_dir = None
    for t in targets:
        folder = target_folder(layout, t)
        if not folder:
            continue  # exempt, or no sources of ours
        for group in t.get("target_sources", []):
            for param in group.get("parameters", []):
                if not param.startswith("-I"):
                    continue
                dst = layout.folder_of(param[2:])
                if dst is None or dst == "" or dst == folder:
                    continue
                edges.setdefault((folder, dst), set()).add("path")
                if not layout.edge_ok(folder, dst):
                    problems.append(f"path {folder} -> {dst}: target "
                                    f"{t['name']} compiles with {param}")
        if t["type"] not in ("executable", "shared library",
                             "shared module"):
            continue
        for filename in t["filename"]:
            if build_dir is None:
                build_dir = find_build_dir(filename, lib_folder)
            for lib in linked_libraries(ninja_text, filename, build_dir):
                dst, name = lib_folder.get(lib, (None, None))
                if dst is None or dst == "" or dst == folder:
                    continue
                edges.setdefault((folder, dst), set()).add("link")
                if not layout.edge_ok(folder, dst):
                    problems.append(f"link {folder} -> {dst}: {t['name']} "
                                    f"links {name}")


def find_build_dir(filename, lib_folder):
    # Every filename is absolute; the build directory is the longest
    # common prefix of the static libraries' and this target's paths.
    paths = list(lib_folder) + [os.path.realpath(filename)]
    return os.path.commonpath(paths) if paths else None


def linked_libraries(ninja_text, filename, build_dir):
    rel = os.path.relpath(os.path.realpath(filename), build_dir)
    m = re.search(r"^build " + re.escape(rel) + r": [^\n]*", ninja_text, re.M)
    if not m:
        return []
    libs = []
    for token in m.group(0).split():
        if token.endswith(".a"):
            libs.append(os.path.realpath(os.path.join(build_dir, token)))
    return libs


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-dir")
    ap.add_argument("--layers", default=os.path.join(here, "layers.txt"))
    ap.add_argument("--targets-json",
                    help="meson's intro-targets.json (default: the build "
                    "directory's)")
    ap.add_argument("--ninja",
                    help="build.ninja (default: the build directory's)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    try:
        layout = Layout(args.source_root, read_layers(args.layers))
    except (OSError, ValueError) as e:
        print(f"check_layers: {e}", file=sys.stderr)
        return 2
    problems, edges = [], {}
    files = project_files(layout)
    check_includes(layout, files, problems, edges)
    check_readmes(layout, problems)
    if args.build_dir:
        targets_json = args.targets_json or os.path.join(
            args.build_dir, "meson-info", "intro-targets.json")
        try:
            with open(targets_json) as f:
                targets = json.load(f)
            with open(args.ninja or
                      os.path.join(args.build_dir, "build.ninja")) as f:
                ninja_text = f.read()
        except (OSError, ValueError) as e:
            print(f"check_layers: {e}", file=sys.stderr)
            return 2
        check_targets(layout, targets, ninja_text, problems, edges)
    if not args.quiet:
        for (src, dst), kinds in sorted(edges.items()):
            if src != dst:
                print(f"  {src:16} -> {dst:16} {' '.join(sorted(kinds))}")
        print(f"check_layers: {len(files)} files, "
              f"{sum(1 for s, d in edges if s != d)} folder edges, "
              f"{len(problems)} not allowed")
    for p in problems:
        print(f"NOT ALLOWED {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
