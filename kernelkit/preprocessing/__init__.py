"""Data preprocessing: `image` (augmentation with `ImageDataGenerator`), `sequence` (padding, skipgrams,
time series batches) and `text` (`Tokenizer`). SciPy and Pillow are imported only when used."""
from kernelkit.preprocessing import image  # noqa: F401
from kernelkit.preprocessing import sequence  # noqa: F401
from kernelkit.preprocessing import text  # noqa: F401
