"""The project's shape: the engine knows no paper, imports go one way, a table is near its model."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAPERS = sorted(p.name for p in (ROOT / "experiments").iterdir() if (p / "__init__.py").is_file())
# Words only a paper's code would use; the engine's own names (emojitags.*, EMOJITAGS_HOME) are fine.
PAPER_WORDS = re.compile(r"deepmoji|dialogue|weibo|zero-?shot|tweeteval|chitchat|seq2seq|hashtag|"
                         r"\bemoji(?!tags)", re.IGNORECASE)


def imports(path: Path) -> set[str]:
    """The project modules a file imports (`from x import y` also counts x.y when that is a module)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in out if m.split(".")[0] in ("components", "orchestration", "experiments", "benchmarks")}


def module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for p in (base.with_suffix(".py"), base / "__init__.py"):
        if p.is_file():
            return p
    return None


def test_there_is_one_folder_per_paper():
    assert PAPERS == ["conversation_hashtags", "deepmoji", "dialogue_emoji", "emoji_hashtags", "zeroshot_hashtags"]


def test_the_engine_names_no_paper():
    files = sorted((ROOT / "orchestration").rglob("*.py"))
    assert not (ROOT / "orchestration" / "tasks").exists()
    found = [f"{f.relative_to(ROOT)}:{i}: {line.strip()}" for f in files
             for i, line in enumerate(f.read_text().splitlines(), 1) if PAPER_WORDS.search(line)]
    assert not found, "\n".join(found)


def test_imports_go_one_way():
    """experiments -> orchestration -> components; components know no Ray, MLflow or engine."""
    for f in (ROOT / "components").rglob("*.py"):
        bad = [m for m in imports(f) if not m.startswith("components")]
        text = f.read_text()
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"
        assert not re.search(r"^\s*(import|from) (ray|mlflow)\b", text, re.M), f"{f.relative_to(ROOT)} imports Ray/MLflow"
    for f in (ROOT / "orchestration").rglob("*.py"):
        bad = [m for m in imports(f) if m.startswith(("experiments", "benchmarks"))]
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_the_headline_reaches_its_model_in_three_imports():
    target = ROOT / "components" / "generators" / "seq2seq.py"
    frontier, seen = {ROOT / "experiments" / "table2.py"}, set()
    for _ in range(3):
        frontier = {module_file(m) for f in frontier for m in imports(f)} - {None} - seen
        # a package's __init__ only re-exports: what it names is the same hop away
        frontier |= {module_file(m) for f in frontier if f.name == "__init__.py" for m in imports(f)} - {None}
        seen |= frontier
        if target in frontier:
            return
    raise AssertionError(f"{target.relative_to(ROOT)} is not within three imports of experiments/table2.py")
