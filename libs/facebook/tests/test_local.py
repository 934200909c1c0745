"""The local stack's generated app: stable across runs of one run folder."""

from __future__ import annotations

from pathlib import Path

from jumo_facebook.sandbox.local import local_app


def test_generated_once_then_kept(tmp_path: Path) -> None:
    first = local_app(tmp_path / "facebook-sandbox")
    assert first["FACEBOOK_APP_ID"].isdigit()
    assert len(first["FACEBOOK_APP_SECRET"]) == 32
    assert local_app(tmp_path / "facebook-sandbox") == first
    assert local_app(tmp_path / "another") != first


def test_a_damaged_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "app.json").write_text("{not json")
    assert local_app(tmp_path)["FACEBOOK_APP_ID"].isdigit()
