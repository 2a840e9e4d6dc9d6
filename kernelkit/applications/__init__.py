"""Keras 2.2.4's `keras.applications`: image classification models with optional ImageNet weights.

Every model is written in kernelkit's layers with the layer names, output shapes, parameter counts and
weights order of tf.keras, so the standard Keras weight files load (from `~/.keras/models`, or
`$KERAS_HOME/models`), and `save_weights` files move between kernelkit and tf.keras both ways.

    from kernelkit.applications.resnet50 import ResNet50, preprocess_input, decode_predictions
    model = ResNet50(weights='imagenet')
"""
from kernelkit import backend, layers, models, utils  # noqa: F401  (the modules Keras 2.2.4 injected)
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import (densenet, imagenet_utils, inception_resnet_v2, inception_v3,  # noqa: F401
                                    mobilenet, mobilenet_v2, mobilenetv2, nasnet, resnet50, vgg16, vgg19,
                                    xception)
from kernelkit.applications.densenet import DenseNet121, DenseNet169, DenseNet201  # noqa: F401
from kernelkit.applications.inception_resnet_v2 import InceptionResNetV2  # noqa: F401
from kernelkit.applications.inception_v3 import InceptionV3  # noqa: F401
from kernelkit.applications.mobilenet import MobileNet  # noqa: F401
from kernelkit.applications.mobilenet_v2 import MobileNetV2  # noqa: F401
from kernelkit.applications.nasnet import NASNetLarge, NASNetMobile  # noqa: F401
from kernelkit.applications.resnet50 import ResNet50  # noqa: F401
from kernelkit.applications.vgg16 import VGG16  # noqa: F401
from kernelkit.applications.vgg19 import VGG19  # noqa: F401
from kernelkit.applications.xception import Xception  # noqa: F401
