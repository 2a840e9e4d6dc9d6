"""The Keras 2 backend API on TensorFlow 2 (import it as `from kernelkit import backend as K`).

Configuration lives in `config.py`. The tensor functions live in `ops.py` (variables, shapes,
values), `ops_math.py` (math, reductions, batch normalization), `ops_shape.py` (reshaping, padding),
`ops_nn.py` (activations, losses, random), `ops_conv.py` (convolution and pooling) and `ops_rnn.py`
(`rnn`, control flow, gradients, CTC). `symbolic/` gives them Keras 2's symbolic semantics: symbolic
tensors, recorded operations, `placeholder`, `function` and the graph runner.
"""
import tensorflow as tf  # noqa: F401  (Keras 2 exposed `K.tf`)

from .config import (backend, floatx, set_floatx, epsilon, set_epsilon, image_data_format,
                     set_image_data_format, normalize_data_format, image_dim_ordering,
                     set_image_dim_ordering, config_path, load_config, get_uid, reset_uids,
                     register_clear_session_hook, clear_session, manual_variable_initialization,
                     get_session, set_session, learning_phase, set_learning_phase,
                     learning_phase_scope)
from . import ops, ops_conv, ops_math, ops_nn, ops_rnn, ops_shape
from .symbolic import backend_namespace as _backend_namespace

# Every tensor function, wrapped so that it also takes symbolic tensors (`model.output`, placeholders,
# expressions of them) and then records a node of the graph (see `symbolic/`).
globals().update(_backend_namespace([ops, ops_math, ops_shape, ops_nn, ops_conv, ops_rnn]))
