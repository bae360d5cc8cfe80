"""Build stamps and folder syncing, the two pieces that make rebuilds incremental."""
import os
import shutil

from scripts import stamps
from scripts.paths import sync_dir


def test_signature_changes_with_content_time_and_presence(tmp_path):
    (tmp_path / "a").mkdir()
    f = tmp_path / "a" / "page.md"
    f.write_text("one")
    (tmp_path / "a" / "__pycache__").mkdir()
    (tmp_path / "a" / "__pycache__" / "x.pyc").write_text("ignored")
    first = stamps.signature([tmp_path / "a", tmp_path / "gone.txt"], tmp_path, fw="jax")
    assert set(first["files"]) == {"a/page.md", "gone.txt"}
    assert first["files"]["gone.txt"] is None
    assert stamps.signature([tmp_path / "a", tmp_path / "gone.txt"], tmp_path, fw="jax") == first
    assert stamps.signature([tmp_path / "a", tmp_path / "gone.txt"], tmp_path, fw="tf") != first
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
    assert stamps.signature([tmp_path / "a", tmp_path / "gone.txt"], tmp_path, fw="jax") != first
    (tmp_path / "gone.txt").write_text("")
    second = stamps.signature([tmp_path / "a", tmp_path / "gone.txt"], tmp_path, fw="jax")
    assert second["files"]["gone.txt"] is not None


def test_stamp_round_trip_and_damage(tmp_path):
    s = stamps.Stamp(tmp_path / "stamps" / "html-jax.json")
    sig = stamps.signature([tmp_path], tmp_path)
    assert not s.matches(sig)
    s.save(sig)
    assert s.matches(sig) and not list((tmp_path / "stamps").glob("*.part"))
    s.path.write_text("{not json")
    assert not s.matches(sig)
    s.clear()
    assert not s.path.exists()


def test_sync_copies_only_what_changed(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "sub").mkdir(parents=True)
    (src / "same.html").write_text("same")
    (src / "sub" / "old.html").write_text("old")
    (src / "edited.html").write_text("v1")
    (src / ".buildinfo").write_text("sphinx bookkeeping")
    ignore = shutil.ignore_patterns(".buildinfo*")
    assert sync_dir(src, dest, ignore) == -1           # created in one step
    assert not (dest / ".buildinfo").exists()
    before = (dest / "same.html").stat().st_ino
    (src / "edited.html").write_text("version 2")
    (src / "sub" / "old.html").unlink()
    (src / "sub").rmdir()
    (src / "new.html").write_text("new")
    assert sync_dir(src, dest, ignore) == 4            # edited, new, old removed, sub removed
    assert (dest / "edited.html").read_text() == "version 2"
    assert (dest / "new.html").read_text() == "new"
    assert not (dest / "sub").exists()
    assert (dest / "same.html").stat().st_ino == before  # untouched
    assert sync_dir(src, dest, ignore) == 0
