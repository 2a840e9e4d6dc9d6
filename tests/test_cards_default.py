"""Migration cards by default: in a real Jupyter kernel, a Keras 1 call shows a card below the cell without
`%load_ext kernelkit`, once per cell and call site; `set_cards_default(False)` or
`KERNELKIT_MIGRATION_CARDS=0` gives the plain warning; `%load_ext kernelkit` still adds the magics."""
from kernel_harness import Kernel

MIME = 'application/vnd.kernelkit.migration+json'
IMPORTS = 'import kernelkit\nfrom kernelkit.layers import Dense\n'
KERAS1 = "layer = Dense(output_dim=3, init='normal')\n"


def test_a_card_without_load_ext_once_per_cell_and_site():
    with Kernel(stragglers=0.2) as kernel:
        assert kernel.run(IMPORTS, cell_id='imports').error is None
        first = kernel.run(KERAS1, cell_id='cell-1')
        again = kernel.run(KERAS1, cell_id='cell-1')
        other = kernel.run(KERAS1, cell_id='cell-2')
    assert first.error is None, first.error
    cards = first.mime(MIME)
    assert len(cards) == 1, first.displays
    card = cards[0]
    assert card['old_call'] == "Dense(output_dim=3, init='normal')"
    assert card['new_call'] == 'Dense(units=3, kernel_initializer="normal")'  # the full Keras 2 call
    assert card['message'] == ('Update your `Dense` call to the Keras 2 API: '
                               '`Dense(units=3, kernel_initializer="normal")`')  # Keras 2's exact words
    assert card['cell_id'] == 'cell-1' and card['lineno'] == 1
    assert 'KerasMigrationWarning' not in first.stderr  # the card replaces the pink warning
    assert again.mime(MIME) == [] and again.stderr == ''
    assert len(other.mime(MIME)) == 1


def test_opting_out_gives_the_plain_warning():
    with Kernel({'KERNELKIT_MIGRATION_CARDS': '0'}, stragglers=0.2) as kernel:
        kernel.run(IMPORTS)
        by_environment = kernel.run(KERAS1, cell_id='a')
    assert by_environment.mime(MIME) == []
    assert 'Update your `Dense` call to the Keras 2 API' in by_environment.stderr
    with Kernel(stragglers=0.2) as kernel:
        kernel.run(IMPORTS + 'kernelkit.widgets.set_cards_default(False)\n')
        by_call = kernel.run(KERAS1, cell_id='b')
        kernel.run('kernelkit.widgets.set_cards_default(True)\n')
        back_on = kernel.run(KERAS1, cell_id='c')
    assert by_call.mime(MIME) == [] and 'Update your `Dense` call' in by_call.stderr
    assert len(back_on.mime(MIME)) == 1


def test_load_ext_still_adds_the_magics():
    with Kernel(stragglers=0.2) as kernel:
        kernel.run(IMPORTS)
        loaded = kernel.run('%load_ext kernelkit\n')
        rewritten = kernel.run('%%keras2\n' + KERAS1 + 'print(layer.units)\n', cell_id='m')
    assert loaded.error is None and rewritten.error is None, rewritten.error
    assert '3' in rewritten.stdout
