"""The Keras 2 backend API on TensorFlow 2 (import it as `from kernelkit import backend as K`).

Configuration lives in `config.py`. The tensor functions live in `ops.py` (variables, shapes,
values), `ops_math.py` (math, reductions, batch normalization), `ops_shape.py` (reshaping, padding),
`ops_nn.py` (activations, losses, random), `ops_conv.py` (convolution and pooling) and `ops_rnn.py`
(`rnn`, control flow, gradients, CTC).
"""
import tensorflow as tf  # noqa: F401  (Keras 2 exposed `K.tf`)

from .config import (backend, floatx, set_floatx, epsilon, set_epsilon, image_data_format,
                     set_image_data_format, normalize_data_format, image_dim_ordering,
                     set_image_dim_ordering, config_path, load_config, get_uid, reset_uids,
                     register_clear_session_hook, clear_session, manual_variable_initialization,
                     get_session, set_session, learning_phase, set_learning_phase,
                     learning_phase_scope)
from .ops import *  # noqa: F401,F403
from .ops_math import *  # noqa: F401,F403
from .ops_shape import *  # noqa: F401,F403
from .ops_nn import *  # noqa: F401,F403
from .ops_conv import *  # noqa: F401,F403
from .ops_rnn import *  # noqa: F401,F403

try:  # written separately; present once the symbolic engine lands
    from .symbolic import placeholder, function, is_keras_tensor, is_placeholder  # noqa: F401
except ImportError:
    pass
