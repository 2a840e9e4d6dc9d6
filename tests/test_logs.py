"""Tests for kernelkit.engine.logs: the logs dict that also answers to metric-name aliases."""
import copy
import json
import pickle

import pytest

from kernelkit.engine.logs import ALIAS_GROUPS, Logs, alias_candidates


@pytest.mark.parametrize('group', ALIAS_GROUPS, ids=lambda g: g[0])
def test_every_name_of_a_group_finds_every_other(group):
    for stored in group:
        logs = Logs({stored: 1.5, 'loss': 0.1})
        for asked in group:
            assert logs[asked] == 1.5
            assert logs.get(asked) == 1.5
            assert asked in logs


def test_the_expected_groups_exist():
    assert set(map(frozenset, ALIAS_GROUPS)) == {
        frozenset({'acc', 'accuracy'}), frozenset({'ce', 'crossentropy'}),
        frozenset({'mse', 'MSE', 'mean_squared_error'}),
        frozenset({'mae', 'MAE', 'mean_absolute_error'}),
        frozenset({'mape', 'MAPE', 'mean_absolute_percentage_error'}),
        frozenset({'msle', 'MSLE', 'mean_squared_logarithmic_error'}),
        frozenset({'kld', 'KLD', 'kullback_leibler_divergence'}),
        frozenset({'cosine', 'cosine_proximity'})}


@pytest.mark.parametrize('asked, stored', [
    ('val_acc', 'val_accuracy'),
    ('val_accuracy', 'val_acc'),
    ('dense_2_acc', 'dense_2_accuracy'),
    ('val_dense_2_acc', 'val_dense_2_accuracy'),
    ('weighted_acc', 'weighted_accuracy'),
    ('val_weighted_accuracy', 'val_weighted_acc'),
    ('val_out_a_weighted_acc', 'val_out_a_weighted_accuracy'),
    ('val_mean_squared_error', 'val_mse'),
    ('out_b_mean_absolute_percentage_error', 'out_b_mape'),
    ('val_cosine_proximity', 'val_cosine'),
    ('val_ce', 'val_crossentropy'),
    ('val_KLD', 'val_kullback_leibler_divergence'),
])
def test_prefixes_are_kept_and_only_the_metric_name_is_swapped(asked, stored):
    logs = Logs({stored: 0.25})
    assert logs[asked] == 0.25
    assert asked in logs
    assert logs.resolve(asked) == stored


def test_exact_key_wins_over_an_alias():
    logs = Logs(acc=0.1, accuracy=0.2, mse=3.0, mean_squared_error=4.0)
    assert logs['acc'] == 0.1
    assert logs['accuracy'] == 0.2
    assert logs.get('mean_squared_error') == 4.0
    assert logs['MSE'] == 3.0  # first stored alternative in priority order


def test_alias_candidates_priority_order_and_no_match():
    assert alias_candidates('MSE') == ('mse', 'mean_squared_error')
    assert alias_candidates('mean_squared_error') == ('mse', 'MSE')
    assert alias_candidates('val_dense_2_acc') == ('val_dense_2_accuracy',)
    assert alias_candidates('val_loss') == ()
    assert alias_candidates('dice') == ()  # 'ce' must end the key after an underscore
    assert alias_candidates(3) == ()
    # The longest name ending the key is used: cosine_proximity, not cosine.
    assert alias_candidates('val_cosine_proximity') == ('val_cosine',)


def test_missing_key_raises_key_error_naming_key_and_available_keys():
    logs = Logs(loss=0.5, accuracy=0.9)
    with pytest.raises(KeyError) as info:
        logs['val_acc']
    message = str(info.value)
    assert "'val_acc'" in message and "'val_accuracy'" in message
    assert "['loss', 'accuracy']" in message
    with pytest.raises(KeyError, match="'val_loss' is not in the logs"):
        logs['val_loss']
    assert logs.get('val_acc') is None
    assert logs.get('val_acc', -1) == -1
    assert 'val_acc' not in logs


def test_logs_is_a_plain_dict_of_stored_keys_only():
    logs = Logs(loss=0.5, val_accuracy=0.75)
    assert isinstance(logs, dict)
    assert list(logs) == ['loss', 'val_accuracy']
    assert list(logs.keys()) == ['loss', 'val_accuracy']
    assert list(logs.items()) == [('loss', 0.5), ('val_accuracy', 0.75)]
    assert len(logs) == 2
    assert repr(logs) == "{'loss': 0.5, 'val_accuracy': 0.75}"
    assert json.loads(json.dumps(logs)) == {'loss': 0.5, 'val_accuracy': 0.75}
    assert logs == {'loss': 0.5, 'val_accuracy': 0.75}
    for clone in (logs.copy(), copy.copy(logs), copy.deepcopy(logs), pickle.loads(pickle.dumps(logs))):
        assert type(clone) is Logs
        assert clone == logs and clone['val_acc'] == 0.75
    # Writing is exact: no alias is updated.
    logs['val_acc'] = 0.5
    assert logs['val_accuracy'] == 0.75 and logs['val_acc'] == 0.5
    assert logs.pop('val_acc') == 0.5


def test_none_value_is_returned_not_treated_as_missing():
    logs = Logs(accuracy=None)
    assert logs['acc'] is None
    assert 'acc' in logs
    assert logs.get('acc', 'default') is None
