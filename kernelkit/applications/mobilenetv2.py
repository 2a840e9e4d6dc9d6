"""`keras.applications.mobilenetv2` of Keras 2.2.4: the same module as `mobilenet_v2`."""
from kernelkit.applications.mobilenet_v2 import *  # noqa: F401,F403
from kernelkit.applications.mobilenet_v2 import (MobileNetV2, decode_predictions,  # noqa: F401
                                                 keras_modules_injection, mobilenet_v2, preprocess_input)
