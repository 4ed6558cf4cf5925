"""Generate Python protobuf modules for CometBFT's ABCI messages.

The .proto files come from the pinned CometBFT module (downloaded through the Go module
proxy) and gogoproto from the version CometBFT's go.mod requires. Output goes to an
ignored folder; nothing generated here is committed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grpc_tools
from grpc_tools import protoc


def module_dir(path: str, version: str) -> tuple[Path, Path]:
    out = subprocess.run(
        ["go", "mod", "download", "-json", f"{path}@{version}"],
        check=True, capture_output=True, text=True,
    ).stdout
    info = json.loads(out)
    return Path(info["Dir"]), Path(info["GoMod"])


def main(version: str, out_dir: str) -> int:
    cmt_dir, cmt_gomod = module_dir("github.com/cometbft/cometbft", version)
    match = re.search(r"github\.com/cosmos/gogoproto (v\S+)", cmt_gomod.read_text())
    if not match:
        print("gogoproto version not found in cometbft go.mod", file=sys.stderr)
        return 1
    gogo_dir, _ = module_dir("github.com/cosmos/gogoproto", match.group(1))

    out = Path(out_dir)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    proto_root = cmt_dir / "proto"
    wanted = ["abci", "crypto", "types", "version", "libs"]
    files = sorted(
        str(p.relative_to(proto_root))
        for sub in wanted
        for p in (proto_root / "tendermint" / sub).rglob("*.proto")
    )
    files.append("gogoproto/gogo.proto")
    std_include = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{proto_root}",
        f"-I{gogo_dir}",
        f"-I{std_include}",
        f"--python_out={tmp}",
        f"--pyi_out={tmp}",
        *files,
    ]
    if protoc.main(args) != 0:
        print("protoc failed", file=sys.stderr)
        return 1
    for d in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
        (d / "__init__.py").touch()
    (tmp / ".version").write_text(version)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
