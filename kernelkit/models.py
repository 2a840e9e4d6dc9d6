"""Models: `Sequential`, the functional `Model`, and creating models from configs (`kernelkit.models`)."""
from kernelkit.engine.sequential import Sequential
from kernelkit.engine.training import Model

__all__ = ['Model', 'Sequential']
