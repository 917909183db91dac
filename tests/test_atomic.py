"""The one atomic writer (sim.atomic): a reader sees every file of a set or none of them."""

from __future__ import annotations

import os
import stat

import pytest

from sim.atomic import write_all, write_text, write_with


def test_a_set_is_renamed_into_place_only_when_every_writer_succeeded(tmp_path):
    (tmp_path / "a.txt").write_text("old a")

    def broken(path):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_all({tmp_path / "a.txt": lambda p: p.write_text("new a"),
                   tmp_path / "sub" / "b.txt": broken})
    assert (tmp_path / "a.txt").read_text() == "old a"       # the earlier file is untouched
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.txt"]


def test_every_file_lands_with_its_content_and_no_temporary_is_left(tmp_path):
    paths = write_all({tmp_path / "x.csv": lambda p: p.write_text("1,2\n"),
                       tmp_path / "deep" / "y.bin": lambda p: p.write_bytes(b"\x00\x01")})
    assert paths == [tmp_path / "x.csv", tmp_path / "deep" / "y.bin"]
    assert (tmp_path / "x.csv").read_text() == "1,2\n"
    assert (tmp_path / "deep" / "y.bin").read_bytes() == b"\x00\x01"
    assert not list(tmp_path.rglob("*.partial"))


def test_writers_see_a_temporary_name_beside_the_target(tmp_path):
    seen = []
    write_with(tmp_path / "r.md", lambda p: (seen.append(p), p.write_text("x")))
    assert seen[0].parent == tmp_path and seen[0].name.startswith(".r.md.")
    assert seen[0].suffix == ".partial" and not seen[0].exists()
    assert write_text(tmp_path / "t.txt", "é\n").read_text(encoding="utf-8") == "é\n"


def test_files_get_the_umask_permissions_like_any_other_file(tmp_path):
    umask = os.umask(0o022)
    try:
        written = write_text(tmp_path / "a.txt", "x")
        plain = tmp_path / "plain.txt"
        plain.write_text("x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(written.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == 0o644
