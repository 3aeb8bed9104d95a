import subprocess

from agentkit.evals import provenance


def _repo(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "f").write_text("one")
    git("add", "f")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    return tmp_path


def test_a_checkout_is_named_by_commit_and_whether_it_has_changes(tmp_path):
    repo = _repo(tmp_path)
    clean = provenance.git_commit(repo)
    assert len(clean["commit"]) == 40 and clean["dirty"] is False
    (repo / "f").write_text("two")
    assert provenance.git_commit(repo) == {"commit": clean["commit"], "dirty": True}
    assert provenance.git_commit(tmp_path / "nowhere") == {"commit": None, "dirty": None}


def test_run_info_names_the_code_loaded_and_says_when_the_checkout_moved(monkeypatch):
    loaded = {"commit": "a" * 40, "dirty": False}
    monkeypatch.setattr(provenance, "LOADED", loaded)
    monkeypatch.setattr(provenance, "git_commit", lambda: loaded)
    info = provenance.run_info(model="m")
    assert info["git"] == loaded and "git_at_end" not in info and info["model"] == "m"
    later = {"commit": "b" * 40, "dirty": True}
    monkeypatch.setattr(provenance, "git_commit", lambda: later)
    assert provenance.run_info()["git_at_end"] == later
