"""The `itoo` command line answers bad input with a clear message and exit code 2."""

import json

import pytest

from itoo.cli import main


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ITOO_DATA_DIR", str(tmp_path / "data"))
    for var in ("ITOO_ARTIFACT_ROOT", "ITOO_WAREHOUSE_URL", "ITOO_APP_DB_URL"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def test_world_command_writes_a_world(tmp_path, capsys):
    assert main(["world", "--size", "tiny", "--out", str(tmp_path / "w")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["products"] > 0 and (tmp_path / "w" / "products.json").exists()


def test_unknown_size_is_refused(capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", "--size", "huge"])
    assert e.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_upload_of_missing_or_garbage_file(tmp_path, capsys):
    assert main(["upload", "--user", "u0001", "--image", str(tmp_path / "nope.jpg")]) == 2
    assert "is not a file" in capsys.readouterr().err
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\x00\x01 definitely not a jpeg")
    assert main(["upload", "--user", "u0001", "--image", str(garbage)]) == 2
    assert "error" in capsys.readouterr().err


def test_serving_commands_before_anything_is_published(tmp_path, capsys):
    assert main(["feed", "u0001"]) == 2
    assert "materialize" in capsys.readouterr().err
    photo = tmp_path / "look.jpg"
    from PIL import Image

    Image.new("RGB", (96, 128), (10, 20, 30)).save(photo)
    assert main(["shop-the-look", str(photo)]) == 2
    assert "not published" in capsys.readouterr().err
    assert main(["feed", "u0001", "--k", "0"]) == 2
