"""Utilities (`kernelkit.utils`): the Keras 2 helpers, each in the module Keras 2 had it in."""
from kernelkit.utils import (conv_utils, data_utils, generic_utils, io_utils, layer_utils,  # noqa: F401
                             multi_gpu_utils, np_utils, vis_utils)
from kernelkit.utils.data_utils import (GeneratorEnqueuer, OrderedEnqueuer, Sequence,  # noqa: F401
                                       SequenceEnqueuer, get_file)
from kernelkit.utils.generic_utils import (CustomObjectScope, custom_object_scope, deserialize_keras_object,  # noqa: F401
                                           get_custom_objects, serialize_keras_object)
from kernelkit.utils.io_utils import HDF5Matrix, h5dict  # noqa: F401
from kernelkit.utils.layer_utils import (convert_all_kernels_in_model, get_source_inputs,  # noqa: F401
                                         print_summary)
from kernelkit.utils.multi_gpu_utils import multi_gpu_model  # noqa: F401
from kernelkit.utils.np_utils import normalize, to_categorical  # noqa: F401
from kernelkit.utils.progbar import Progbar  # noqa: F401
from kernelkit.utils.vis_utils import model_to_dot, plot_model  # noqa: F401
