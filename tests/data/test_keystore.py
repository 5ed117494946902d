import os
import stat

import pytest

from meedoen_data.keystore import KeyStore, KeyStoreError


def test_create_is_owner_only_and_once(tmp_path) -> None:
    store = KeyStore(tmp_path / "keys")
    assert store.create("pseudonym-brp") is True
    assert store.create("pseudonym-brp") is False
    key_file = store.path("pseudonym-brp")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    assert len(store.read("pseudonym-brp")) == 32


def test_keys_differ(tmp_path) -> None:
    store = KeyStore(tmp_path)
    store.create("a")
    store.create("b")
    assert store.read("a") != store.read("b")
    assert store.names() == ["a", "b"]


def test_refuses_key_readable_by_others(tmp_path) -> None:
    store = KeyStore(tmp_path)
    store.create("wmo")
    os.chmod(store.path("wmo"), 0o644)
    with pytest.raises(KeyStoreError, match="chmod 600"):
        store.read("wmo")


@pytest.mark.parametrize("name", ["", "../escape", "UPPER", "a/b", "x" * 65])
def test_refuses_unsafe_names(tmp_path, name) -> None:
    with pytest.raises(KeyStoreError, match="invalid key name"):
        KeyStore(tmp_path).path(name)


def test_missing_and_malformed_keys_are_named(tmp_path) -> None:
    store = KeyStore(tmp_path)
    with pytest.raises(KeyStoreError, match="does not exist"):
        store.read("cbs")
    store.ensure_directory()
    store.path("cbs").write_text("not hex")
    os.chmod(store.path("cbs"), 0o600)
    with pytest.raises(KeyStoreError, match="hexadecimal"):
        store.read("cbs")
