"""Experiment specs: typed overrides, cells and their keys."""

import dataclasses

import pytest

from orchestration.spec import SpecError, config_dict, parse_overrides, resolve_cells, stable_hash


@pytest.fixture(scope="module")
def table2():
    from orchestration.cli import load_experiment
    return load_experiment("experiments/dialogue_emoji/table2.py")


def test_overrides_are_typed(table2):
    config, run = parse_overrides(table2, ["epochs=3", "lr=0.5", "use_gpu=true", "seeds=0,4",
                                           "rows=S-LSTM,H-LSTM", "model=f_lstm"])
    assert config == {"epochs": 3, "lr": 0.5, "use_gpu": True, "model": "f_lstm"}
    assert run == {"seeds": (0, 4), "rows": ("S-LSTM", "H-LSTM")}


def test_unknown_key_lists_the_valid_ones(table2):
    with pytest.raises(SpecError, match=r"unknown override key 'epoch'.*valid keys:.*epochs.*seeds"):
        parse_overrides(table2, ["epoch=3"])


@pytest.mark.parametrize("item, expected", [("epochs=three", "expected int"), ("lr=fast", "expected float"),
                                            ("use_gpu=maybe", "expected bool"), ("epochs", "key=value"),
                                            ("rows=X-LSTM", "unknown rows")])
def test_bad_override_values(table2, item, expected):
    with pytest.raises(SpecError, match=expected):
        parse_overrides(table2, [item])


def test_cells_cross_rows_grid_and_seeds(table2):
    cells = resolve_cells(table2, "smoke")
    assert len(cells) == 25 and len({c.key for c in cells}) == 25  # 5 rows x 5 folds
    assert {c.config.model for c in cells} == {"s_bow", "f_bow", "s_lstm", "f_lstm", "h_lstm"}
    from orchestration.cli import load_experiment
    fig4 = load_experiment("experiments/dialogue_emoji/figure4.py")
    cells4 = resolve_cells(fig4, "smoke")
    assert len(cells4) == 3 * 5 * 2 and {c.config.dim for c in cells4} == {64, 128, 256, 384, 512}


def test_cell_keys_follow_what_is_computed_not_how(table2):
    base = {c.label: c.key for c in resolve_cells(table2, "smoke")}
    more_workers = {c.label: c.key for c in resolve_cells(table2, "smoke", {"workers": 2, "threads": 2})}
    other_lr = {c.label: c.key for c in resolve_cells(table2, "smoke", {"lr": 0.1})}
    assert base == more_workers
    assert all(base[k] != other_lr[k] for k in base)
    assert dataclasses.replace(table2.scales["smoke"], lr=0.1).lr == 0.1


def test_a_nested_configs_execution_fields_stay_out_of_the_key_too():
    from experiments.deepmoji.encoder_stage import PretrainConfig
    from experiments.emoji_hashtags.generation_task import HashtagGenConfig

    def key(cfg):
        return stable_hash(config_dict(cfg, include_execution=False))

    nested = HashtagGenConfig(pretrain=PretrainConfig(workers=2, threads=4, use_gpu=True, tail_threads=False))
    assert key(nested) == key(HashtagGenConfig())
    assert key(HashtagGenConfig(pretrain=PretrainConfig(hidden=7))) != key(HashtagGenConfig())


def test_a_row_declared_for_some_scales_runs_only_there(table2):
    from orchestration.spec import Row

    only_paper = Row("paper-only", dict(table2.rows[0].params), scales=("paper",))
    exp = dataclasses.replace(table2, rows=(*table2.rows, only_paper))
    assert "paper-only" not in {c.row for c in resolve_cells(exp, "smoke")}
    assert "paper-only" in {c.row for c in resolve_cells(exp, "paper")}
    with pytest.raises(SpecError, match="row 'paper-only' runs only at scale paper, not smoke"):
        resolve_cells(exp, "smoke", run={"rows": ["paper-only"]})
    with pytest.raises(SpecError, match=r"row typo: unknown scales \['gpu'\]"):
        dataclasses.replace(table2, rows=(*table2.rows, Row("typo", {}, scales=("gpu",))))
