"""Built-in datasets, loaded as Keras 2 does: `(x_train, y_train), (x_test, y_test) = mnist.load_data()`.

`mnist`, `fashion_mnist`, `cifar10`, `cifar100`, `imdb`, `reuters` and `boston_housing` read the same cache
files as Keras 2 (in `$KERAS_HOME/datasets` or `~/.keras/datasets`), downloading them once when needed;
offline, a clear error says which file to place where. `digits`, `iris`, `breast_cancer` and `diabetes`
come from scikit-learn's bundled data and work without any network.
"""
from kernelkit.datasets import boston_housing  # noqa: F401
from kernelkit.datasets import breast_cancer  # noqa: F401
from kernelkit.datasets import cifar10  # noqa: F401
from kernelkit.datasets import cifar100  # noqa: F401
from kernelkit.datasets import diabetes  # noqa: F401
from kernelkit.datasets import digits  # noqa: F401
from kernelkit.datasets import fashion_mnist  # noqa: F401
from kernelkit.datasets import imdb  # noqa: F401
from kernelkit.datasets import iris  # noqa: F401
from kernelkit.datasets import mnist  # noqa: F401
from kernelkit.datasets import reuters  # noqa: F401
