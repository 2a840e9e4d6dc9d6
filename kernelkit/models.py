"""Models: `Sequential`, the functional `Model`, cloning, saving and loading them (`kernelkit.models`)."""
from kernelkit.engine.cloning import _clone_functional_model, _clone_sequential_model, clone_model  # noqa: F401
from kernelkit.engine.saving import (load_model, model_from_config, model_from_json, model_from_yaml,
                                     save_model)
from kernelkit.engine.sequential import Sequential
from kernelkit.engine.training import Model

__all__ = ['Model', 'Sequential', 'clone_model', 'load_model', 'save_model', 'model_from_config', 'model_from_json',
           'model_from_yaml']
