"""Tests of sshn_keras.data.download and the download scripts, offline (local files, loopback only)."""

import hashlib
import importlib.util
import io
import socket
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sshn_keras.data.download import (
    ChecksumError,
    DownloadError,
    UnsafeArchiveError,
    download,
    md5sum,
    safe_extract,
    verify_md5,
)
from sshn_keras.data.paths import REPO_ROOT

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
PAYLOAD_MD5 = hashlib.md5(PAYLOAD).hexdigest()


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "data_scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RangeHandler(BaseHTTPRequestHandler):
    """Serves PAYLOAD at any path, honouring `Range: bytes=N-` (unless `ranges` is off); 404 for /missing."""

    ranges = True
    seen = []

    def do_GET(self):
        if self.path == "/missing":
            self.send_error(404)
            return
        header = self.headers.get("Range")
        type(self).seen.append(header)
        start = int(header.split("=")[1].rstrip("-")) if header and self.ranges else 0
        body = PAYLOAD[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A loopback HTTP server; yields its handler class (set `.ranges`, read `.seen`) and base URL."""
    handler = type("Handler", (RangeHandler,), {"seen": [], "ranges": True})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/neurite-oasis.2d.v1.0.tar"


def test_md5(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(PAYLOAD)
    assert md5sum(path) == PAYLOAD_MD5
    verify_md5(path, PAYLOAD_MD5.upper())
    with pytest.raises(ChecksumError, match=r"f\.bin: expected 0+, received " + PAYLOAD_MD5):
        verify_md5(path, "0" * 32)


def test_http_download_resumes_with_range(server, tmp_path):
    handler, url = server
    destination = tmp_path / "data.bin"
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD[:300_000])
    download(f"{url}/data.bin", destination, md5=PAYLOAD_MD5, progress=False)
    assert destination.read_bytes() == PAYLOAD and not (tmp_path / "data.bin.part").exists()
    assert handler.seen == ["bytes=300000-"]
    # Already there and verified: no request at all.
    download(f"{url}/data.bin", destination, md5=PAYLOAD_MD5, progress=False)
    assert len(handler.seen) == 1


def test_server_without_range_restarts(server, tmp_path):
    handler, url = server
    handler.ranges = False
    (tmp_path / "d.bin.part").write_bytes(b"garbage" * 1000)
    download(f"{url}/d.bin", tmp_path / "d.bin", md5=PAYLOAD_MD5, progress=False)
    assert (tmp_path / "d.bin").read_bytes() == PAYLOAD


def test_file_url_resume_and_checksum_mismatch(tmp_path):
    source = tmp_path / "source.tar"
    source.write_bytes(PAYLOAD)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.tar.part").write_bytes(PAYLOAD[:1000])
    download(source.as_uri(), tmp_path / "out" / "x.tar", md5=PAYLOAD_MD5, progress=False)
    assert (tmp_path / "out" / "x.tar").read_bytes() == PAYLOAD
    with pytest.raises(ChecksumError, match=r"MD5 mismatch for .*y\.tar\.part.*partial file was deleted"):
        download(source.as_uri(), tmp_path / "out" / "y.tar", md5="1" * 32, progress=False)
    assert not (tmp_path / "out" / "y.tar.part").exists() and not (tmp_path / "out" / "y.tar").exists()
    with pytest.raises(ChecksumError, match=r"x\.tar"):
        download(source.as_uri(), tmp_path / "out" / "x.tar", md5="1" * 32, progress=False)


def test_offline_and_http_errors(server, tmp_path):
    with pytest.raises(DownloadError, match=r"offline.*copy it to .*x\.tar"):
        download(closed_port_url(), tmp_path / "x.tar", progress=False, timeout=5)
    _, url = server
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(f"{url}/missing", tmp_path / "y.tar", progress=False)


def make_tar(path: Path, members: list) -> Path:
    """`members`: (name, bytes) for files, (name, None) for folders, (name, "->target") for symlinks."""
    with tarfile.open(path, "w") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(content, str):
                info.type = tarfile.SYMTYPE if content.startswith("->") else tarfile.LNKTYPE
                info.linkname = content.lstrip("->")
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


def test_safe_extract_tar(tmp_path):
    archive = make_tar(tmp_path / "ok.tar", [("top", None), ("top/a.txt", b"a"), ("top/sub/b.txt", b"bb")])
    files = safe_extract(archive, tmp_path / "out", progress=False)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in files) == ["top/a.txt", "top/sub/b.txt"]
    safe_extract(archive, tmp_path / "stripped", strip_components=1, progress=False)
    assert (tmp_path / "stripped" / "sub" / "b.txt").read_bytes() == b"bb"


@pytest.mark.parametrize(
    "member, message",
    [
        (("../evil.txt", b"x"), r"'\.\./evil\.txt' contains '\.\.'"),
        (("top/../../evil.txt", b"x"), r"contains '\.\.'"),
        (("/tmp/evil.txt", b"x"), "absolute path"),
        (("link", "->/etc/passwd"), r"'link' is a symbolic link \(-> '/etc/passwd'\)"),
        (("hard", "top/a.txt"), "is a hard link"),
    ],
)
def test_safe_extract_refuses_unsafe_tar_members(tmp_path, member, message):
    archive = make_tar(tmp_path / "bad.tar", [("top/a.txt", b"a"), member])
    with pytest.raises(UnsafeArchiveError, match=message):
        safe_extract(archive, tmp_path / "out", progress=False)
    assert not list((tmp_path / "out").iterdir())  # nothing written, not even the safe member
    assert not (tmp_path / "evil.txt").exists()


def test_safe_extract_zip(tmp_path):
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as z:
        z.writestr("repo-abc/Dataset 1/001.bmp", b"img")
    safe_extract(good, tmp_path / "out", strip_components=1, progress=False)
    assert (tmp_path / "out" / "Dataset 1" / "001.bmp").read_bytes() == b"img"
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../escape.txt", b"x")
    with pytest.raises(UnsafeArchiveError, match="contains '..'"):
        safe_extract(bad, tmp_path / "out2", progress=False)
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as z:
        info = zipfile.ZipInfo("link")
        info.external_attr = (0o120777 << 16)
        z.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match="symbolic link"):
        safe_extract(link, tmp_path / "out3", progress=False)


def test_safe_extract_corrupted(tmp_path, truncate_file):
    archive = make_tar(tmp_path / "t.tar", [(f"f{i}.bin", PAYLOAD[:50_000]) for i in range(4)])
    truncate_file(archive, 0.5)
    with pytest.raises(ValueError, match=r"t\.tar"):
        safe_extract(archive, tmp_path / "out", progress=False)
    (tmp_path / "junk.tar").write_bytes(b"not an archive at all" * 100)
    with pytest.raises(ValueError, match=r"Cannot read archive .*junk\.tar"):
        safe_extract(tmp_path / "junk.tar", tmp_path / "out", progress=False)


def test_download_oasis_script(tmp_path, capsys):
    script = load_script("download_oasis")
    tar = make_tar(tmp_path / "release.tar", [
        ("seg4_labels.txt", b"0 Unknown 0 0 0 0\n"), ("OASIS_OAS1_0001_MR1", None), ("OASIS_OAS1_0001_MR1/slice_norm.nii.gz", b"x"),
    ])
    output = tmp_path / "oasis"
    assert script.main(["--output", str(output), "--url", tar.as_uri(), "--md5", md5sum(tar), "--no-progress"]) == 0
    assert (output / "OASIS_OAS1_0001_MR1" / "slice_norm.nii.gz").is_file()
    assert "1 subject folders" in capsys.readouterr().out
    assert script.main(["--output", str(tmp_path / "o2"), "--url", tar.as_uri(), "--no-progress"]) == 1  # published MD5
    assert "MD5 mismatch" in capsys.readouterr().err
    assert script.main(["--output", str(tmp_path / "o3"), "--url", closed_port_url(), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "offline" in err and "neurite-oasis.2d.v1.0.tar" in err
    evil = make_tar(tmp_path / "evil.tar", [("../../escape.txt", b"x")])
    assert script.main(["--output", str(tmp_path / "o4"), "--url", evil.as_uri(), "--md5", md5sum(evil), "--no-progress"]) == 1
    assert "refused" in capsys.readouterr().err


def test_download_wbc_script(tmp_path, capsys):
    script = load_script("download_wbc")
    archive = tmp_path / "wbc.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for subset, count in script.WBC_EXPECTED_PAIRS.items():
            for n in range(1, count + 1):
                for suffix in (".bmp", ".png"):
                    z.writestr(f"segmentation_WBC-{script.WBC_COMMIT}/{subset}/{n:03d}{suffix}", b"")
    output = tmp_path / "wbc"
    assert script.main(["--output", str(output), "--url", archive.as_uri(), "--no-progress"]) == 0
    assert (output / "Dataset 2" / "100.png").is_file()
    assert "'Dataset 1': 300" in capsys.readouterr().out
    (output / "Dataset 2" / "100.png").unlink()
    assert script.count_pairs(output) == {"Dataset 1": 300, "Dataset 2": 99}
    assert script.main(["--output", str(tmp_path / "w2"), "--url", closed_port_url(), "--no-progress"]) == 2
    assert "offline" in capsys.readouterr().err
